// The channel tab's set-up page: choose one team's or one department's board. Inside Teams
// the choice becomes the tab (pages.config.setConfig); outside, it opens in the browser.
"use strict";

(() => {
  const config = JSON.parse(document.getElementById("teams-config").textContent);
  const t = config.texts;
  const $ = (id) => document.getElementById(id);
  const form = $("choice");
  const which = $("which");
  const status = $("status");
  const open = $("open");
  const inTeams = UptakeTeams.inTeams;
  const locale = { nl: "nl-BE", fr: "fr-BE", en: "en-GB" }[config.lang] || config.lang;
  const number = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  const fmt = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => (k in values ? values[k] : ""));
  let groups = { teams: [], departments: [] };
  let teams = null; // the Teams library, once initialized
  let asked = 0; // the preview answered last is the one asked for last

  $("outside").hidden = inTeams;
  $("inside").hidden = !inTeams;

  const kind = () => form.elements.kind.value; // "teams" or "departments"

  function boardUrl(scope, name, forTeams) {
    const query = new URLSearchParams({ [scope === "teams" ? "team" : "department"]: name, lang: config.lang });
    if (forTeams) query.set("inTeams", "1");
    return config.publicUrl + "/screen?" + query.toString();
  }

  async function fetchGroups() {
    const get = () => fetch("/api/groups", { credentials: "same-origin", cache: "no-store" });
    let response = await get();
    if (response.status === 401 && inTeams && (await UptakeTeams.signIn())) response = await get();
    return response;
  }

  function fill() {
    const scope = kind();
    const list = groups[scope] || [];
    $("which-label").textContent = scope === "teams" ? t.which_team : t.which_department;
    which.replaceChildren(
      ...list.map((group) => {
        const option = document.createElement("option");
        option.value = group.name;
        option.textContent = group.department ? group.name + " (" + group.department + ")" : group.name;
        return option;
      }),
    );
    which.disabled = !list.length;
    status.textContent = list.length ? "" : t.none;
    status.hidden = Boolean(list.length);
  }

  async function preview(scope, name) {
    const box = $("preview");
    const mine = ++asked;
    box.hidden = true;
    if (!name) return;
    const response = await fetch(`/api/${scope}/${encodeURIComponent(name)}?window=${config.window}`, {
      credentials: "same-origin",
      cache: "no-store",
    });
    if (mine !== asked || !response.ok) return;
    const standing = await response.json();
    $("preview-name").textContent = fmt(t.group_title, { group: name, window: t[config.window] || config.window });
    $("preview-line").textContent = [
      standing.rank ? fmt(t.group_rank, { rank: standing.rank }) : t.group_unranked,
      fmt(t.group_points, { points: number.format(standing.points_per_member) }),
      fmt(t.group_active, { active: number.format(standing.active), members: number.format(standing.members) }),
    ].join(" \u00b7 ");
    box.hidden = false;
  }

  function chosen() {
    const name = which.disabled ? "" : which.value;
    return name ? { scope: kind(), name } : null;
  }

  function changed() {
    const choice = chosen();
    open.hidden = !choice;
    if (choice) open.href = boardUrl(choice.scope, choice.name, false);
    if (teams) teams.pages.config.setValidityState(Boolean(choice));
    preview(choice && choice.scope, choice && choice.name);
  }

  function preselect(entityId) {
    const [scope, ...rest] = String(entityId || "").split(":");
    const name = rest.join(":");
    if (!(scope in groups) || !groups[scope].some((g) => g.name === name)) return;
    form.elements.kind.value = scope;
    fill();
    which.value = name;
  }

  async function joinTeams() {
    teams = await UptakeTeams.library();
    teams.pages.config.registerOnSaveHandler(async (save) => {
      const choice = chosen();
      if (!choice) return save.notifyFailure("no board chosen");
      try {
        await teams.pages.config.setConfig({
          entityId: choice.scope + ":" + choice.name,
          contentUrl: boardUrl(choice.scope, choice.name, true),
          websiteUrl: boardUrl(choice.scope, choice.name, false),
          suggestedDisplayName: fmt(t.tab_name, { name: choice.name }).slice(0, 100),
        });
        save.notifySuccess();
      } catch (error) {
        save.notifyFailure(error && error.message ? error.message : "failed");
      }
    });
    const current = await teams.pages.getConfig().catch(() => null);
    if (current && current.entityId) preselect(current.entityId);
  }

  async function start() {
    let response;
    try {
      response = await fetchGroups();
    } catch (error) {
      response = null;
    }
    if (response && response.status === 401) {
      status.textContent = t.signin;
      $("signin").hidden = false;
      return;
    }
    if (!response || !response.ok) {
      status.textContent = t.failed;
      return;
    }
    groups = await response.json();
    fill();
    if (inTeams) {
      try {
        await joinTeams();
      } catch (error) {
        console.info("Teams:", error && error.message ? error.message : error);
      }
    }
    changed();
  }

  form.addEventListener("change", (event) => {
    if (event.target.name === "kind") fill();
    changed();
  });
  start();
})();
