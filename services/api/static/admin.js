// Admin page: edit, validate, preview and publish the rule set; issue and revoke display tokens;
// say when the usage report conceals names, and how to reveal them.
"use strict";

(() => {
  const t = JSON.parse(document.getElementById("page-texts").textContent);
  const { api, el, row } = Session;
  const result = document.getElementById("result");
  const source = () => document.getElementById("source").value;

  function show(...nodes) {
    result.replaceChildren(...nodes);
  }

  function problems(list) {
    const ul = el("ul", undefined, "problems");
    for (const p of list) ul.append(el("li", `${p.path || p.loc?.slice(2).join(".") || ""}: ${p.message || p.msg}`));
    return ul;
  }

  // Texts missing in a language: not errors, the rule set's own language stands in.
  function gaps(list) {
    if (!list || !list.length) return [];
    const ul = el("ul", undefined, "warnings");
    for (const w of list) ul.append(el("li", `${w.path}: ${w.message}`));
    return [el("p", t.language_gaps, "muted"), ul];
  }

  async function loadRules() {
    const current = await api("/api/admin/rules");
    if (current.status === 401 || current.status === 403) {
      document.getElementById("signin").hidden = false;
      show(el("p", current.body && current.body.detail, "error"));
      return false;
    }
    if (current.ok) {
      document.getElementById("source").value = current.body.source;
      document.getElementById("version").textContent = `v${current.body.version}`;
    }
    return true;
  }

  async function loadDisplays() {
    const list = await api("/api/admin/display-tokens");
    const table = document.getElementById("displays");
    table.replaceChildren();
    for (const token of list.body || []) {
      const tr = row([token.label, token.created_at, token.revoked_at ? t.revoked : t.active]);
      if (!token.revoked_at) {
        const button = el("button", t.revoke, "secondary");
        button.addEventListener("click", async () => {
          await api(`/api/admin/display-tokens/${token.id}`, { method: "DELETE" });
          loadDisplays();
        });
        const cell = el("td");
        cell.append(button);
        tr.append(cell);
      }
      table.append(tr);
    }
  }

  async function loadReportNames() {
    const lang = document.documentElement.lang || "en";
    const answer = await api(`/api/insights/report-names?lang=${encodeURIComponent(lang)}`);
    const section = document.getElementById("report-names");
    const names = answer.ok ? answer.body : null;
    if (!names || !names.messages.length) {
      section.hidden = true;
      return;
    }
    document.getElementById("report-names-title").textContent = names.title;
    document.getElementById("report-names-messages").replaceChildren(...names.messages.map((m) => el("p", m)));
    document.getElementById("report-names-ways").replaceChildren(...names.ways_out.map((w) => el("li", w)));
    section.hidden = false;
  }

  document.getElementById("validate").addEventListener("click", async () => {
    const answer = await api("/api/admin/rules/validate", { method: "POST", body: JSON.stringify({ source: source() }) });
    if (!(answer.body && answer.body.ok)) return show(problems((answer.body && answer.body.problems) || []));
    show(el("p", t.valid, "ok"), ...gaps(answer.body.warnings));
  });

  document.getElementById("preview").addEventListener("click", async () => {
    const answer = await api("/api/admin/rules/preview", { method: "POST", body: JSON.stringify({ source: source() }) });
    if (!answer.ok) return show(problems(Array.isArray(answer.body?.detail) ? answer.body.detail : []));
    const p = answer.body;
    const table = el("table");
    table.append(row([t.person, t.points_before, t.points_after, t.rank_before, t.rank_after]));
    for (const c of p.changes.slice(0, 20)) table.append(row([c.person, c.points_before, c.points_after, c.rank_before ?? "-", c.rank_after ?? "-"]));
    show(el("p", `${p.people} ${t.people}: ${p.gainers} ${t.gain}, ${p.losers} ${t.lose}; ${t.points} ${p.points_before} → ${p.points_after}`), table, ...gaps(p.warnings));
  });

  document.getElementById("publish").addEventListener("click", async () => {
    if (!confirm(t.confirm_publish)) return;
    const note = document.getElementById("note").value || null;
    const answer = await api("/api/admin/rules", { method: "POST", body: JSON.stringify({ source: source(), note }) });
    if (!answer.ok) return show(problems(Array.isArray(answer.body?.detail) ? answer.body.detail : []));
    show(el("p", `${t.published} v${answer.body.version}`, "ok"));
    loadRules();
  });

  document.getElementById("display-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const label = document.getElementById("display-label").value;
    const answer = await api("/api/admin/display-tokens", { method: "POST", body: JSON.stringify({ label }) });
    if (answer.ok) {
      const url = `${location.origin}/screen?token=${encodeURIComponent(answer.body.token)}`;
      document.getElementById("issued").textContent = `${t.screen_url}: ${url}`;
      loadDisplays();
    }
  });

  Session.start(async () => {
    if (await loadRules()) {
      document.getElementById("content").hidden = false;
      loadDisplays();
      loadReportNames();
    }
  });
})();
