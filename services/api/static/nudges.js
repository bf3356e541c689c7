// This week's nudges per department: the gaps, the use case to suggest, and a post to the
// department's channel after a confirmation. Figures about groups only.
"use strict";

(() => {
  const T = JSON.parse(document.getElementById("page-texts").textContent);
  const lang = document.documentElement.lang || "en";
  const { api, el } = Session;
  const percent = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 0 });
  const points = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
  const longDate = new Intl.DateTimeFormat(lang, { dateStyle: "long" });
  const QUOTES = lang === "fr" ? ["«\u00a0", "\u00a0»"] : ["“", "”"];
  const dayOnly = new Intl.DateTimeFormat(lang, { dateStyle: "long", timeZone: "UTC" });

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
  }

  function appName(app) {
    return T["nu_app_" + app] || app;
  }

  function day(iso) {
    return dayOnly.format(new Date(iso + "T00:00:00Z"));
  }

  function clientId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function bar(label, rate, className) {
    const row = el("div", undefined, "nudge-bar-row " + className);
    row.appendChild(el("span", label, "nudge-bar-label"));
    const track = el("span", undefined, "nudge-bar");
    const fill_ = el("span", undefined, "nudge-bar-fill");
    fill_.style.width = Math.max(0, Math.min(100, rate * 100)).toFixed(1) + "%";
    track.appendChild(fill_);
    row.appendChild(track);
    row.appendChild(el("span", percent.format(rate), "nudge-bar-value"));
    return row;
  }

  function posted(status, when) {
    status.className = "nudge-status ok";
    status.textContent = fill(T.nu_posted, { date: longDate.format(new Date(when)) });
  }

  function postControls(department, nudge) {
    const box = el("div", undefined, "nudge-post");
    const status = el("p", undefined, "nudge-status");
    status.setAttribute("role", "status");
    if (nudge.posted) {
      posted(status, nudge.posted.posted_at);
      box.appendChild(status);
      return box;
    }
    const button = el("button", T.nu_post, "nudge-post-button");
    button.type = "button";
    const confirm = el("div", undefined, "nudge-confirm");
    confirm.hidden = true;
    const question = el("p", fill(T.nu_confirm, { title: nudge.use_case.title, department }));
    const yes = el("button", T.nu_confirm_yes);
    yes.type = "button";
    const no = el("button", T.nu_cancel, "secondary");
    no.type = "button";
    const choices = el("div", undefined, "nudge-confirm-buttons");
    choices.append(yes, no);
    confirm.append(question, choices);
    const id = clientId(); // the same id for every retry of this post

    button.addEventListener("click", () => {
      button.hidden = true;
      confirm.hidden = false;
      status.textContent = "";
      yes.focus();
    });
    no.addEventListener("click", () => {
      confirm.hidden = true;
      button.hidden = false;
      button.focus();
    });
    yes.addEventListener("click", async () => {
      yes.disabled = no.disabled = true;
      status.className = "nudge-status muted";
      status.textContent = T.nu_posting;
      const body = { client_id: id, department, app: nudge.app, use_case: nudge.use_case.id };
      const answer = await api("/api/insights/nudges/post", { method: "POST", body: JSON.stringify(body) });
      yes.disabled = no.disabled = false;
      confirm.hidden = true;
      if (answer.ok) {
        posted(status, answer.body.posted_at);
      } else if (answer.status === 409 && answer.body && answer.body.posted_at) {
        posted(status, answer.body.posted_at);
      } else {
        const reason = (answer.body && answer.body.detail) || answer.status;
        status.className = "nudge-status error";
        status.textContent = fill(T.nu_not_posted, { reason: typeof reason === "string" ? reason : answer.status });
        button.hidden = false;
      }
    });
    box.append(button, confirm, status);
    return box;
  }

  function useCase(nudge) {
    const box = el("div", undefined, "nudge-use-case");
    if (!nudge.use_case) {
      box.appendChild(el("p", T.nu_no_use_case, "muted"));
      return box;
    }
    const found = nudge.use_case;
    box.appendChild(el("span", T.nu_suggested, "nudge-caption"));
    box.appendChild(el("p", found.title, "nudge-use-case-title"));
    if (found.prompt) {
      const quote = el("blockquote", undefined, "nudge-prompt");
      quote.appendChild(el("span", T.nu_sample_prompt, "nudge-caption"));
      quote.appendChild(el("span", QUOTES[0] + found.prompt + QUOTES[1]));
      box.appendChild(quote);
    }
    const why =
      found.reason === "confirmed"
        ? fill(T.nu_reason_confirmed, { departments: found.leaders.join(", ") })
        : fill(T.nu_reason_library, { app: appName(nudge.app) });
    box.appendChild(el("p", why, "nudge-reason muted"));
    return box;
  }

  function nudgeItem(department, nudge) {
    const item = el("li", undefined, "nudge");
    item.dataset.app = nudge.app;
    const head = el("div", undefined, "nudge-head");
    head.appendChild(el("h3", appName(nudge.app)));
    head.appendChild(el("span", fill(T.nu_gap, { points: points.format(nudge.gap_points) }), "nudge-gap"));
    item.appendChild(head);
    const bars = el("div", undefined, "nudge-bars");
    bars.append(
      bar(T.nu_department, nudge.department_rate, "nudge-bar-department"),
      bar(T.nu_organisation, nudge.organisation_rate, "nudge-bar-organisation"),
    );
    item.appendChild(bars);
    item.appendChild(useCase(nudge));
    if (nudge.use_case) item.appendChild(postControls(department, nudge));
    return item;
  }

  function render(list) {
    const weeks = document.getElementById("weeks");
    if (!list.built) {
      document.getElementById("empty").hidden = false;
      weeks.hidden = true;
    } else {
      weeks.textContent = fill(T.nu_weeks, { since: day(list.since), until: day(list.until) });
    }
    const rule = list.rule;
    document.getElementById("rule").textContent = fill(T.nu_rule, {
      weeks: rule.weeks || 4,
      points: rule.min_gap_points,
      min_rate: Math.round(rule.min_organisation_rate * 100),
      per: rule.per_department,
      min_size: rule.min_group_size,
    });
    const departments = document.getElementById("departments");
    departments.replaceChildren();
    for (const entry of list.departments) {
      const card = el("li", undefined, "nudge-department");
      card.dataset.department = entry.department;
      card.appendChild(el("h2", entry.department));
      const items = el("ul", undefined, "nudge-items");
      for (const nudge of entry.nudges) items.appendChild(nudgeItem(entry.department, nudge));
      card.appendChild(items);
      departments.appendChild(card);
    }
    document.getElementById("none").hidden = !list.built || list.departments.length > 0;
    const onTrack = document.getElementById("on-track");
    onTrack.replaceChildren(...list.on_track.map((name) => el("li", name)));
    document.getElementById("on-track-box").hidden = list.on_track.length === 0;
    const hidden = document.getElementById("hidden");
    hidden.replaceChildren(
      ...list.hidden.map((h) => {
        const item = el("li");
        if (h.reason === "no_department") {
          item.appendChild(el("strong", T.nu_hidden_no_department));
          item.appendChild(el("span", T.nu_hidden_no_department_reason, "muted"));
        } else {
          item.appendChild(el("strong", h.department));
          item.appendChild(el("span", fill(T.nu_hidden_small, { min_size: rule.min_group_size }), "muted"));
        }
        return item;
      }),
    );
    document.getElementById("hidden-box").hidden = list.hidden.length === 0;
  }

  Session.start(async () => {
    const answer = await api("/api/insights/nudges?lang=" + encodeURIComponent(lang), { cache: "no-store" });
    if (answer.status === 403) {
      document.getElementById("forbidden").hidden = false;
    } else if (answer.status !== 401) { // 401: Session offers "sign in"
      document.getElementById("content").hidden = false;
      if (answer.ok && answer.body) render(answer.body);
      else document.getElementById("failed").hidden = false;
    }
    document.body.dataset.ready = "true";
  });
})();
