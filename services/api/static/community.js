// Community page: give kudos, share a story, browse the use-case library, redeem a code;
// champions and admins also review stories.
"use strict";

(() => {
  const t = JSON.parse(document.getElementById("page-texts").textContent);
  const { api, el } = Session;
  const lang = document.documentElement.lang;
  const q = encodeURIComponent(lang);
  const $ = (id) => document.getElementById(id);
  const APPS = ["teams", "outlook", "chat", "word", "excel", "powerpoint", "onenote", "loop", "other"];
  const APP_NAMES = {
    teams: "Teams", outlook: "Outlook", chat: "Copilot Chat", word: "Word", excel: "Excel",
    powerpoint: "PowerPoint", onenote: "OneNote", loop: "Loop", other: t.c_app_other,
  };
  const FUNCTIONS = ["any", "sales", "marketing", "finance", "hr", "legal", "operations", "management"];

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (_, key) => (key in values ? String(values[key]) : ""));
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  function day(iso) {
    return new Date(iso + (iso.length === 10 ? "T12:00:00" : "")).toLocaleDateString(lang, { day: "numeric", month: "long" });
  }

  function who(label) {
    if (label.name) return label.name;
    return label.department ? fill(t.c_colleague_from, { department: label.department }) : t.c_colleague;
  }

  function problem(result) {
    const detail = result.body && result.body.detail;
    const text = typeof detail === "string" ? detail : Array.isArray(detail) ? detail.map((d) => d.msg).join("; ") : String(result.status);
    return fill(t.c_error, { detail: text });
  }

  function say(node, text, ok) {
    node.textContent = text;
    node.className = ok ? "ok" : "error";
  }

  function counter(input, output, max) {
    const update = () => { output.textContent = `${input.value.length}/${max}`; };
    input.addEventListener("input", update);
    update();
  }

  function options(select, entries) {
    select.replaceChildren(...entries.map(([value, text]) => {
      const option = el("option", text);
      option.value = value;
      return option;
    }));
  }

  // Kudos ---------------------------------------------------------------------------------
  let receiver = null;
  let kudosId = newId();
  let searchTimer = null;

  async function loadKudos() {
    const result = await api("/api/me/kudos");
    if (!result.ok) return;
    const k = result.body;
    $("kudos-help").textContent = fill(t.c_kudos_help, { allowance: k.allowance });
    $("kudos-left").textContent = fill(t.c_kudos_left, { remaining: k.remaining, allowance: k.allowance, renews_on: day(k.renews_on) });
    const received = $("kudos-received");
    received.replaceChildren();
    for (const item of k.received) {
      const li = el("li");
      const meta = el("div", undefined, "meta");
      meta.append(el("span", t["c_value_" + item.value], "tag"), el("span", fill(t.c_from, { name: who(item.giver) })), el("span", day(item.day)));
      const toggle = el("button", item.hidden ? t.c_show : t.c_hide, "secondary");
      toggle.type = "button";
      toggle.addEventListener("click", async () => {
        const done = await api(`/api/me/kudos/${item.id}/hidden`, { method: "PUT", body: JSON.stringify({ hidden: !item.hidden }) });
        if (done.ok) loadKudos();
      });
      if (item.message) meta.append(toggle);
      li.append(meta);
      if (item.message) li.append(el("span", item.hidden ? `${item.message} (${t.c_hidden})` : item.message, item.hidden ? "muted" : ""));
      received.append(li);
    }
    if (!k.received.length) received.append(el("li", t.c_none_yet, "muted"));
    const given = $("kudos-given");
    given.replaceChildren();
    for (const item of k.given) {
      const li = el("li");
      const meta = el("div", undefined, "meta");
      meta.append(el("span", t["c_value_" + item.value], "tag"), el("span", fill(t.c_to, { name: who(item.receiver) })), el("span", day(item.day)));
      li.append(meta, el("span", item.message === null ? t.c_message_hidden : item.message, item.message === null ? "muted" : ""));
      given.append(li);
    }
    if (!k.given.length) given.append(el("li", t.c_none_yet, "muted"));
    $("kudos-give").disabled = !receiver || k.remaining < 1;
  }

  function choose(person) {
    receiver = person;
    $("kudos-matches").replaceChildren();
    $("kudos-search").value = person.name;
    const chosen = $("kudos-to");
    chosen.textContent = person.department ? `${person.name} · ${person.department}` : person.name;
    chosen.hidden = false;
    $("kudos-give").disabled = false;
  }

  async function search() {
    const text = $("kudos-search").value.trim();
    const list = $("kudos-matches");
    receiver = null;
    $("kudos-to").hidden = true;
    $("kudos-give").disabled = true;
    if (text.length < 2) {
      list.replaceChildren();
      return;
    }
    const result = await api(`/api/people/search?q=${encodeURIComponent(text)}`);
    if (!result.ok || $("kudos-search").value.trim() !== text) return;
    list.replaceChildren(...result.body.map((person) => {
      const li = el("li");
      const button = el("button", person.department ? `${person.name} · ${person.department}` : person.name);
      button.type = "button";
      button.setAttribute("role", "option");
      button.addEventListener("click", () => choose(person));
      li.append(button);
      return li;
    }));
    if (!result.body.length) list.append(el("li", t.c_no_match, "muted"));
  }

  async function giveKudos(event) {
    event.preventDefault();
    if (!receiver) return;
    const value = document.querySelector("input[name=kudos-value]:checked").value;
    const message = $("kudos-message").value.trim();
    const result = await api("/api/kudos", { method: "POST", body: JSON.stringify({ id: kudosId, to: receiver.id, value, message }) });
    if (result.ok) {
      say($("kudos-result"), fill(t.c_given, { name: receiver.name }), true);
      kudosId = newId();
      $("kudos-message").value = "";
      $("kudos-message").dispatchEvent(new Event("input"));
      $("kudos-search").value = "";
      $("kudos-to").hidden = true;
      receiver = null;
    } else {
      say($("kudos-result"), problem(result), false);
      if (result.status >= 400 && result.status < 500) kudosId = newId();
    }
    loadKudos();
  }

  // Stories -------------------------------------------------------------------------------
  let storyId = newId();

  function storyItem(story, extra) {
    const li = el("li");
    const meta = el("div", undefined, "meta");
    meta.append(el("span", APP_NAMES[story.app] || story.app, "tag"), el("span", fill(t.c_minutes, { minutes: story.minutes_saved })));
    if (story.use_case_title) meta.append(el("span", story.use_case_title));
    if (extra) extra(meta, li);
    li.prepend(meta);
    li.append(el("span", story.text));
    return li;
  }

  async function loadMyStories() {
    const result = await api(`/api/me/stories?lang=${q}`);
    const list = $("my-stories");
    list.replaceChildren();
    if (!result.ok) return;
    for (const story of result.body) {
      list.append(storyItem(story, (meta, li) => {
        meta.append(el("span", t["c_status_" + story.status], "status-" + story.status));
        if (story.status !== "withdrawn") {
          const withdraw = el("button", t.c_withdraw, "secondary");
          withdraw.type = "button";
          withdraw.addEventListener("click", async () => {
            const done = await api(`/api/stories/${story.id}`, { method: "DELETE" });
            if (done.ok) { loadMyStories(); loadLatest(); }
          });
          meta.append(withdraw);
        }
        if (story.reason) li.append(el("span", fill(t.c_reason, { reason: story.reason }), "muted"));
      }));
    }
    if (!result.body.length) list.append(el("li", t.c_none_yet, "muted"));
  }

  async function loadLatest() {
    const result = await api(`/api/stories?limit=8&lang=${q}`);
    const list = $("latest-stories");
    list.replaceChildren();
    if (!result.ok) return;
    for (const story of result.body) {
      list.append(storyItem(story, (meta) => {
        const author = story.author || (story.department ? fill(t.c_colleague_from, { department: story.department }) : t.c_colleague);
        meta.append(el("span", author), el("span", day(story.approved_at.slice(0, 10))));
      }));
    }
    if (!result.body.length) list.append(el("li", t.c_none_yet, "muted"));
  }

  async function sendStory(event) {
    event.preventDefault();
    const useCase = $("story-use-case").value;
    const body = {
      id: storyId,
      app: $("story-app").value,
      use_case: useCase || null,
      minutes_saved: Number($("story-minutes").value),
      text: $("story-text").value.trim(),
      named: $("story-named").checked,
      post_to_engage: $("story-engage").checked,
    };
    const result = await api(`/api/stories?lang=${q}`, { method: "POST", body: JSON.stringify(body) });
    if (result.ok) {
      say($("story-result"), t.c_story_sent, true);
      storyId = newId();
      $("story-text").value = "";
      $("story-text").dispatchEvent(new Event("input"));
      loadMyStories();
      loadQueue();
    } else {
      say($("story-result"), problem(result), false);
      if (result.status >= 400 && result.status < 500) storyId = newId();
    }
  }

  async function loadQueue() {
    const result = await api(`/api/stories/queue?lang=${q}`);
    const section = $("queue");
    if (!result.ok) {
      section.hidden = true;
      return;
    }
    section.hidden = false;
    const list = $("queue-items");
    list.replaceChildren();
    for (const story of result.body) {
      list.append(storyItem(story, (meta, li) => {
        meta.append(el("span", story.author || t.c_anonymous_author), el("span", story.department || ""));
        const actions = el("div", undefined, "queue-actions");
        const approve = el("button", t.c_approve);
        approve.type = "button";
        const reason = el("input");
        reason.type = "text";
        reason.maxLength = 500;
        reason.placeholder = t.c_reject_reason;
        reason.setAttribute("aria-label", t.c_reject_reason);
        const reject = el("button", t.c_reject, "secondary");
        reject.type = "button";
        const decide = async (decision) => {
          const done = await api(`/api/stories/${story.id}/decision`, {
            method: "POST",
            body: JSON.stringify({ decision, reason: reason.value.trim() || null }),
          });
          if (done.ok) { loadQueue(); loadLatest(); loadMyStories(); } else reason.focus();
        };
        approve.addEventListener("click", () => decide("approve"));
        reject.addEventListener("click", () => decide("reject"));
        actions.append(approve, reason, reject);
        li.append(actions);
      }));
    }
    if (!result.body.length) list.append(el("li", t.c_queue_empty, "muted"));
  }

  // Library and tries ---------------------------------------------------------------------
  let tries = {};

  async function loadTries() {
    const result = await api(`/api/me/tries?lang=${q}`);
    tries = {};
    if (result.ok) for (const item of result.body) tries[item.use_case] = item;
  }

  function tryStatus(useCase) {
    const found = tries[useCase];
    if (!found) return "";
    if (found.status === "confirmed") return fill(t.c_try_confirmed, { day: day(found.confirmed_on) });
    if (found.status === "expired") return t.c_try_expired;
    return fill(t.c_try_pending, { day: day(found.tried_on), until: day(found.confirm_by) });
  }

  async function loadLibrary() {
    const app = $("library-app").value;
    const fn = $("library-function").value;
    let path = `/api/usecases?lang=${q}`;
    if (app) path += `&app=${encodeURIComponent(app)}`;
    if (fn) path += `&function=${encodeURIComponent(fn)}`;
    const [result] = await Promise.all([api(path), loadTries()]);
    const list = $("library-items");
    list.replaceChildren();
    if (!result.ok) return;
    if (result.body.length) $("library-help").textContent = fill(t.c_library_help, { points: result.body[0].points });
    for (const useCase of result.body) {
      const li = el("li");
      const meta = el("div", undefined, "meta");
      meta.append(el("span", APP_NAMES[useCase.app] || useCase.app, "tag"));
      if (useCase.function !== "any") meta.append(el("span", t["c_function_" + useCase.function] || useCase.function));
      if (useCase.department) meta.append(el("span", useCase.department));
      const prompts = el("details");
      prompts.append(el("summary", t.c_prompts));
      const ul = el("ul");
      for (const prompt of useCase.prompts) ul.append(el("li", prompt));
      prompts.append(ul);
      const row = el("div", undefined, "try");
      const status = el("span", tryStatus(useCase.id), "muted");
      const open = !tries[useCase.id] || tries[useCase.id].status === "expired";
      if (open) {
        const tried = el("button", t.c_tried, "secondary");
        tried.type = "button";
        tried.addEventListener("click", async () => {
          const done = await api(`/api/usecases/${useCase.id}/tried?lang=${q}`, { method: "POST" });
          if (done.ok) {
            tries[useCase.id] = done.body;
            status.textContent = tryStatus(useCase.id);
            tried.remove();
          }
        });
        row.append(tried);
      }
      row.append(status);
      li.append(meta, el("h3", useCase.title), el("p", useCase.description), el("p", fill(t.c_kpi, { kpi: useCase.kpi }), "muted"), prompts, row);
      list.append(li);
    }
  }

  async function loadUseCaseChoices() {
    const result = await api(`/api/usecases?lang=${q}`);
    const entries = [["", t.c_use_case_none]];
    if (result.ok) for (const useCase of result.body) entries.push([useCase.id, `${APP_NAMES[useCase.app]}: ${useCase.title}`]);
    options($("story-use-case"), entries);
  }

  // Claim codes ---------------------------------------------------------------------------
  async function claim(event) {
    event.preventDefault();
    const code = $("claim-code").value.trim();
    if (!code) return;
    const result = await api("/api/claims", { method: "POST", body: JSON.stringify({ code }) });
    if (result.ok) {
      say($("claim-result"), fill(t.c_claimed, result.body), true);
      $("claim-code").value = "";
    } else {
      say($("claim-result"), problem(result), false);
    }
  }

  // Start ---------------------------------------------------------------------------------
  async function load() {
    const me = await api("/api/me/kudos");
    if (!me.ok) {
      document.getElementById("signin").hidden = false;
      return;
    }
    $("content").hidden = false;
    options($("story-app"), APPS.map((app) => [app, APP_NAMES[app]]));
    options($("library-app"), [["", t.c_all_apps], ...APPS.filter((a) => a !== "other").map((app) => [app, APP_NAMES[app]])]);
    options($("library-function"), [["", t.c_all_functions], ...FUNCTIONS.map((fn) => [fn, t["c_function_" + fn]])]);
    counter($("kudos-message"), $("kudos-count"), 280);
    counter($("story-text"), $("story-count"), 600);
    $("kudos-search").addEventListener("input", () => {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(search, 200);
    });
    $("kudos-form").addEventListener("submit", giveKudos);
    $("story-form").addEventListener("submit", sendStory);
    $("claim-form").addEventListener("submit", claim);
    $("library-app").addEventListener("change", loadLibrary);
    $("library-function").addEventListener("change", loadLibrary);
    await Promise.all([loadKudos(), loadMyStories(), loadLatest(), loadQueue(), loadLibrary(), loadUseCaseChoices()]);
    document.body.dataset.ready = "true";
  }

  Session.start(load);
})();
