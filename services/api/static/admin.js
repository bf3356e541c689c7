// Admin page: edit, validate, preview and publish the rule set; issue and revoke display tokens.
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

  document.getElementById("validate").addEventListener("click", async () => {
    const answer = await api("/api/admin/rules/validate", { method: "POST", body: JSON.stringify({ source: source() }) });
    show(answer.body && answer.body.ok ? el("p", t.valid, "ok") : problems((answer.body && answer.body.problems) || []));
  });

  document.getElementById("preview").addEventListener("click", async () => {
    const answer = await api("/api/admin/rules/preview", { method: "POST", body: JSON.stringify({ source: source() }) });
    if (!answer.ok) return show(problems(Array.isArray(answer.body?.detail) ? answer.body.detail : []));
    const p = answer.body;
    const table = el("table");
    table.append(row([t.person, t.points_before, t.points_after, t.rank_before, t.rank_after]));
    for (const c of p.changes.slice(0, 20)) table.append(row([c.person, c.points_before, c.points_after, c.rank_before ?? "-", c.rank_after ?? "-"]));
    show(el("p", `${p.people} ${t.people}: ${p.gainers} ${t.gain}, ${p.losers} ${t.lose}; ${t.points} ${p.points_before} → ${p.points_after}`), table);
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
    }
  });
})();
