// Admin page: the rules editor (rules-editor.js) once an admin is signed in; issue and revoke
// display tokens; say when the usage report conceals names, and how to reveal them.
"use strict";

(() => {
  const t = JSON.parse(document.getElementById("page-texts").textContent);
  const { api, el, row } = Session;

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
    if (await RulesEditor.load()) {
      document.getElementById("content").hidden = false;
      loadDisplays();
      loadReportNames();
    }
  });
})();
