// Pages inside Microsoft Teams: load the Teams library, follow the Teams language, and sign
// in with Teams single sign-on; when that fails, sign in through a Teams pop-up instead.
// Outside Teams this script does nothing, and the pages sign in as usual (/auth/signin).
"use strict";

const UptakeTeams = (() => {
  const LIBRARY = "/static/vendor/teams-js/MicrosoftTeams.min.js";
  const LANGUAGES = ["nl", "en", "fr"];
  const query = new URLSearchParams(location.search);
  const authEnd = location.pathname === "/teams/auth-end";
  const inTeams = query.get("inTeams") === "1" || window.parent !== window || authEnd;
  let loaded = null;

  function withTimeout(promise, ms, what) {
    return Promise.race([
      promise,
      new Promise((_, reject) => setTimeout(() => reject(new Error(what + " timed out")), ms)),
    ]);
  }

  // The library, initialized; loaded only inside Teams (it reaches for Microsoft's CDN at load).
  function library() {
    if (!loaded) {
      loaded = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = LIBRARY;
        script.onload = () => resolve(window.microsoftTeams);
        script.onerror = () => reject(new Error("the Teams library did not load"));
        document.head.appendChild(script);
      }).then(async (teams) => {
        await withTimeout(teams.app.initialize(), 10000, "Teams initialization");
        return teams;
      });
    }
    return loaded;
  }

  // Teams says which language its user reads: follow it unless the address chose one.
  async function followLanguage(teams) {
    if (query.has("lang")) return false;
    const context = await teams.app.getContext();
    const wanted = String((context.app && context.app.locale) || "").slice(0, 2).toLowerCase();
    if (!LANGUAGES.includes(wanted) || wanted === document.documentElement.lang) return false;
    query.set("lang", wanted);
    location.replace(location.pathname + "?" + query.toString());
    return true;
  }

  async function post(path, body) {
    const response = await fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    return response.ok;
  }

  // A session cookie set inside Teams' frame may still be refused (third-party cookies off).
  async function sessionSticks() {
    const response = await fetch("/auth/session", { credentials: "same-origin", cache: "no-store" });
    return response.ok;
  }

  async function singleSignOn(teams) {
    try {
      const token = await teams.authentication.getAuthToken();
      return (await post("/auth/teams", { token })) && (await sessionSticks());
    } catch (error) {
      console.info("Teams single sign-on did not work:", error && error.message ? error.message : error);
      return false;
    }
  }

  function base64url(bytes) {
    return btoa(String.fromCharCode(...new Uint8Array(bytes)))
      .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  // The usual sign-in, in a Teams pop-up; its session comes back as a one-time code that only
  // this tab can redeem (it alone knows the verifier).
  async function popupSignIn(teams) {
    const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
    const challenge = base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
    const lang = document.documentElement.lang || "en";
    const next = "/teams/auth-end?lang=" + encodeURIComponent(lang) + "&challenge=" + challenge;
    const url = location.origin + "/auth/signin?next=" + encodeURIComponent(next);
    const code = await teams.authentication.authenticate({ url, width: 600, height: 640 });
    return (await post("/auth/teams/redeem", { code, verifier })) && (await sessionSticks());
  }

  // Single sign-on, or false; a sign-in link on the page then opens the Teams pop-up.
  async function signIn() {
    const teams = await library();
    if (await singleSignOn(teams)) return true;
    const link = document.getElementById("signin-link");
    if (link && !link.dataset.teams) {
      link.dataset.teams = "popup";
      link.addEventListener("click", async (event) => {
        event.preventDefault();
        try {
          if (await popupSignIn(teams)) location.reload();
        } catch (error) {
          console.info("Teams sign-in pop-up:", error && error.message ? error.message : error);
        }
      });
    }
    return false;
  }

  // The pop-up's last page: trade its session for a code the tab redeems, then close.
  async function finishPopup() {
    const texts = JSON.parse(document.getElementById("page-texts").textContent);
    const status = document.getElementById("auth-status");
    const challenge = query.get("challenge") || "";
    let teams = null;
    try {
      teams = await library();
      const who = await Session.ready;
      if (!who) throw new Error("not signed in");
      const answer = await Session.api("/auth/teams/handoff", { method: "POST", body: JSON.stringify({ challenge }) });
      if (!answer.ok) throw new Error("handoff refused (" + answer.status + ")");
      teams.authentication.notifySuccess(answer.body.code);
    } catch (error) {
      status.textContent = texts.auth_failed;
      if (teams) teams.authentication.notifyFailure(error && error.message ? error.message : "failed");
    }
  }

  async function start() {
    if (!inTeams) return;
    if (authEnd) return finishPopup();
    try {
      const teams = await library();
      if (await followLanguage(teams)) return;
      if (document.body.dataset.teamsSignin === "when-needed") return;
      if (!(await Session.ready) && (await signIn())) location.reload();
    } catch (error) {
      console.info("Teams:", error && error.message ? error.message : error);
    }
  }

  start();
  return { inTeams, library, signIn };
})();

window.UptakeTeams = UptakeTeams;
