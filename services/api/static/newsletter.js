// The newsletter page: pick a cadence and period, preview the issue per language (the email in
// a sandboxed frame, the Teams card, the Engage post), download the email, send, see what was sent.
"use strict";

(() => {
  const t = JSON.parse(document.getElementById("page-texts").textContent);
  const { api, el } = Session;
  const lang = document.documentElement.lang;
  const $ = (id) => document.getElementById(id);
  const BASE = "/api/admin/newsletter";
  const day = new Intl.DateTimeFormat(lang, { day: "numeric", month: "long", year: "numeric" });
  const moment = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });
  let shown = lang; // the language tab
  let preview = null;
  let pendingId = null; // kept until an answer comes, so a retry is the same issue
  let asked = 0; // the latest preview asked for: an older answer arriving late is dropped

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, (_, key) => (key in values ? String(values[key]) : ""));
  }

  function newId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function cadence() {
    return document.querySelector("input[name=cadence]:checked").value;
  }

  function query(extra) {
    const params = new URLSearchParams({ cadence: cadence(), period: $("period").value, ...extra });
    return params.toString();
  }

  function dates(since, until) {
    return `${day.format(new Date(since + "T12:00:00"))} – ${day.format(new Date(until + "T12:00:00"))}`;
  }

  function problem(result) {
    const detail = result.body && result.body.detail;
    return Array.isArray(detail) ? detail.map((d) => d.msg).join("; ") : detail || String(result.status);
  }

  async function loadPeriods() {
    const result = await api(`${BASE}/periods?cadence=${cadence()}`);
    if (!result.ok) return false;
    const select = $("period");
    select.replaceChildren();
    for (const period of result.body) {
      const label = `${period.key} · ${dates(period.since, period.until)}${period.sent ? " ✓" : ""}`;
      const option = el("option", label);
      option.value = period.key;
      select.appendChild(option);
    }
    return true;
  }

  // The card's elements as a Teams channel would show them, roughly: big, bold and subtle text.
  function drawCard(card) {
    const box = $("card");
    box.replaceChildren();
    for (const block of card.body) {
      const line = el("p", block.text);
      if (block.size === "Large") line.className = "nw-large";
      else if (block.weight === "Bolder") line.className = "nw-bold";
      else if (block.isSubtle) line.className = "nw-subtle";
      box.appendChild(line);
    }
    $("card-json").textContent = JSON.stringify(card, null, 2);
    $("card-size").textContent = fill(t.nw_bytes, { size: (preview.languages[shown].card_bytes / 1024).toFixed(1) });
  }

  function drawLanguage() {
    for (const tab of document.querySelectorAll(".nw-tab")) {
      tab.setAttribute("aria-selected", String(tab.dataset.lang === shown));
    }
    const email = `${BASE}/email?${query({ lang: shown })}`;
    $("email").src = email;
    $("download").href = `${email}&download=true`;
    if (!preview) return;
    const part = preview.languages[shown];
    drawCard(part.card);
    $("engage").textContent = part.engage;
    $("engage-size").textContent = fill(t.nw_chars, { count: part.engage.length });
  }

  function drawSentBefore() {
    const before = $("sent-before");
    before.hidden = !preview.sent.length;
    if (preview.sent.length) {
      const last = preview.sent[preview.sent.length - 1];
      before.textContent = fill(t.nw_sent_before, { when: moment.format(new Date(last.sent_at)) });
    }
  }

  async function loadPreview() {
    $("loading").hidden = false;
    const mine = ++asked;
    const result = await api(`${BASE}/preview?${query({})}`);
    if (mine !== asked) return;
    $("loading").hidden = true;
    if (!result.ok) {
      $("send-result").textContent = problem(result);
      $("send-result").className = "error";
      return;
    }
    preview = result.body;
    drawSentBefore();
    drawLanguage();
  }

  async function loadIssues() {
    const result = await api(`${BASE}/issues`);
    const list = $("issues");
    list.replaceChildren();
    const issues = result.ok ? result.body : [];
    $("no-issues").hidden = issues.length > 0;
    for (const issue of issues) {
      const kind = issue.cadence === "weekly" ? t.nw_weekly : t.nw_monthly;
      const item = el("li");
      item.appendChild(el("strong", `${issue.period} · ${kind}`));
      const by = issue.sent_by ? ` ${t.nw_sent_by} ${issue.sent_by}` : "";
      const engage = issue.post_to_engage ? ` · ${t.nw_with_engage}` : "";
      item.appendChild(el("div", `${moment.format(new Date(issue.sent_at))}${by}${engage}`, "muted"));
      list.appendChild(item);
    }
  }

  async function sendIssue(event) {
    event.preventDefault();
    const result = $("send-result");
    const resend = preview && preview.sent.length > 0;
    if (resend && !window.confirm(t.nw_confirm_resend)) return;
    pendingId = pendingId || newId();
    const body = {
      id: pendingId,
      cadence: cadence(),
      period: $("period").value,
      post_to_engage: $("post-engage").checked,
      resend,
    };
    $("send-button").disabled = true;
    const answer = await api(`${BASE}/issues`, { method: "POST", body: JSON.stringify(body) });
    $("send-button").disabled = false;
    if (answer.status >= 500 || answer.status === 0) {
      result.textContent = `${t.nw_failed}: ${problem(answer)}`; // the same id on a retry
      result.className = "error";
      return;
    }
    pendingId = null;
    result.textContent = answer.ok ? t.nw_sent : `${t.nw_failed}: ${problem(answer)}`;
    result.className = answer.ok ? "ok" : "error";
    await Promise.all([loadPreview(), loadIssues(), loadPeriods().then(() => { $("period").value = body.period; })]);
  }

  async function onCadence() {
    await loadPeriods();
    await loadPreview();
  }

  Session.start(async (who) => {
    $("content").hidden = false;
    if (!(who.roles || []).includes("Admin")) {
      $("not-admin").hidden = false;
      for (const id of ["choose", "preview", "send", "card-section", "engage-section", "history"]) $(id).hidden = true;
      document.body.dataset.ready = "true";
      return;
    }
    for (const radio of document.querySelectorAll("input[name=cadence]")) radio.addEventListener("change", onCadence);
    $("period").addEventListener("change", loadPreview);
    for (const tab of document.querySelectorAll(".nw-tab")) {
      tab.addEventListener("click", () => {
        shown = tab.dataset.lang;
        drawLanguage();
      });
    }
    $("send-form").addEventListener("submit", sendIssue);
    if (await loadPeriods()) await Promise.all([loadPreview(), loadIssues()]);
    document.body.dataset.ready = "true";
  });
})();
