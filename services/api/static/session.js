// Bearer token for the employee and admin pages: from #token=... or the form, kept per tab.
"use strict";

const Session = (() => {
  const KEY = "uptake-token";
  const fromHash = new URLSearchParams(location.hash.slice(1)).get("token");
  if (fromHash) {
    sessionStorage.setItem(KEY, fromHash);
    history.replaceState(null, "", location.pathname + location.search);
  }

  async function api(path, options = {}) {
    const headers = { ...(options.headers || {}), Authorization: "Bearer " + sessionStorage.getItem(KEY) };
    if (options.body) headers["Content-Type"] = "application/json";
    const response = await fetch(path, { ...options, headers });
    const body = response.status === 204 ? null : await response.json().catch(() => null);
    if (response.status === 401) sessionStorage.removeItem(KEY);
    return { status: response.status, ok: response.ok, body };
  }

  function start(onReady) {
    const form = document.getElementById("token-form");
    const signin = document.getElementById("signin");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      sessionStorage.setItem(KEY, document.getElementById("token").value.trim());
      location.reload();
    });
    if (sessionStorage.getItem(KEY)) {
      signin.hidden = true;
      onReady();
    }
  }

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function row(cells, className) {
    const tr = el("tr", undefined, className);
    for (const cell of cells) tr.appendChild(el("td", cell));
    return tr;
  }

  return { api, start, el, row };
})();
