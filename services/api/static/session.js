// Who is signed in, and calls to the API: the session lives in an HttpOnly cookie the
// page never sees; unsafe calls echo the session's CSRF value in X-CSRF-Token.
"use strict";

const Session = (() => {
  const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
  let whoami = null;

  // GET /auth/session once per page: the body ({person, name, roles, csrf, expires_at}) or null.
  const ready = fetch("/auth/session", { credentials: "same-origin", cache: "no-store" })
    .then((response) => (response.ok ? response.json() : null))
    .catch(() => null)
    .then((body) => {
      whoami = body;
      return body;
    });

  async function api(path, options = {}) {
    await ready;
    const method = (options.method || "GET").toUpperCase();
    const headers = { ...(options.headers || {}) };
    if (options.body && !headers["Content-Type"]) headers["Content-Type"] = "application/json";
    if (UNSAFE.has(method) && whoami) headers["X-CSRF-Token"] = whoami.csrf;
    const response = await fetch(path, { ...options, method, headers, credentials: "same-origin" });
    const body = response.status === 204 ? null : await response.json().catch(() => null);
    if (response.status === 401 && whoami) {
      whoami = null; // the session ended (expired or signed out elsewhere)
      showSignin();
    }
    return { status: response.status, ok: response.ok, body };
  }

  function showSignin() {
    const link = document.getElementById("signin-link");
    if (link) link.href = "/auth/signin?next=" + encodeURIComponent(location.pathname + location.search);
    const signin = document.getElementById("signin");
    if (signin) signin.hidden = false;
    const content = document.getElementById("content");
    if (content) content.hidden = true;
    const account = document.getElementById("account");
    if (account) account.hidden = true;
  }

  function showAccount(who) {
    const account = document.getElementById("account");
    if (!account) return;
    document.getElementById("account-name").textContent = who.name;
    account.hidden = false;
    document.getElementById("signout").addEventListener("click", async () => {
      await api("/auth/signout", { method: "POST" });
      location.reload();
    });
  }

  // Runs the page once someone is signed in; otherwise offers "Sign in with Microsoft".
  async function start(onReady) {
    const who = await ready;
    if (!who) {
      showSignin();
      return;
    }
    const signin = document.getElementById("signin");
    if (signin) signin.hidden = true;
    showAccount(who);
    onReady(who);
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

  return {
    api,
    start,
    el,
    row,
    ready,
    get whoami() {
      return whoami;
    },
  };
})();

window.Session = Session;
