// What a draft would change, as a table (POST /api/admin/rules/preview): totals first, then
// who gains or loses points, rank and badges. A person shows by name only where the API
// gives one (they opted in and naming them exposes no colleague), else by pseudonym.
// Also the history of published versions, with a roll-back button per earlier version.
"use strict";

const RulesPreview = (() => {
  const { el } = Session;

  function tile(label, value, className) {
    const box = el("div", undefined, className ? `tile ${className}` : "tile");
    box.append(el("span", value, "tile-value"), el("span", label, "tile-label"));
    return box;
  }

  function signed(n, format) {
    if (n > 0) return `+${format(n)}`;
    if (n < 0) return `\u2212${format(-n)}`;
    return "0";
  }

  function badgeList(ids, titleOf, className) {
    const cell = el("td", undefined, "badges-cell");
    if (!ids.length) {
      cell.textContent = "\u2013";
      return cell;
    }
    const list = el("ul", undefined, `chips ${className}`);
    for (const id of ids) list.append(el("li", titleOf(id)));
    cell.append(list);
    return cell;
  }

  // ``titleOf(id)`` names a badge; ``number`` formats a number for the page's language.
  function render(panel, preview, t, titleOf, number) {
    const format = (n) => number.format(n);
    const totals = el("div", undefined, "tiles");
    totals.append(
      tile(t.pv_people, format(preview.people)),
      tile(t.pv_gainers, format(preview.gainers), preview.gainers && "up"),
      tile(t.pv_losers, format(preview.losers), preview.losers && "down"),
      tile(t.pv_points, `${format(preview.points_before)} \u2192 ${format(preview.points_after)}`),
      tile(t.pv_badges_gained, format(preview.badges_gained), preview.badges_gained && "up"),
      tile(t.pv_badges_lost, format(preview.badges_lost), preview.badges_lost && "down"),
    );
    const nodes = [el("h3", t.pv_title), totals];
    if (!preview.changes.length) {
      nodes.push(el("p", t.pv_nothing, "muted"));
      panel.replaceChildren(...nodes);
      return;
    }
    const table = el("table", undefined, "preview-table");
    const head = el("tr");
    head.append(el("th", t.pv_person));
    for (const label of [t.points_before, t.points_after, t.pv_change, t.rank_before, t.rank_after]) head.append(el("th", label, "num"));
    head.append(el("th", t.pv_gained), el("th", t.pv_lost));
    const thead = el("thead");
    thead.append(head);
    const body = el("tbody");
    for (const c of preview.changes) {
      const delta = c.points_after - c.points_before;
      const tr = el("tr", undefined, delta > 0 ? "gain" : delta < 0 ? "loss" : "");
      const who = el("td", c.name || c.person, c.name ? "who named" : "who pseudonym");
      if (c.name) who.title = c.person;
      tr.append(
        who,
        el("td", format(c.points_before), "num"),
        el("td", format(c.points_after), "num"),
        el("td", signed(delta, format), "num delta"),
        el("td", c.rank_before ?? "\u2013", "num"),
        el("td", c.rank_after ?? "\u2013", "num"),
        badgeList(c.badges_gained, titleOf, "gained"),
        badgeList(c.badges_lost, titleOf, "lost"),
      );
      body.append(tr);
    }
    table.append(thead, body);
    nodes.push(table);
    const changed = preview.changes.length;
    nodes.push(el("p", t.pv_shown.replace("{n}", format(changed)), "muted"));
    panel.replaceChildren(...nodes);
  }

  function when(value, lang) {
    if (!value) return "\u2013";
    return new Date(value).toLocaleString(lang, { dateStyle: "medium", timeStyle: "short" });
  }

  // ``onRollback(version)`` puts an earlier version back in force (after a confirm).
  function history(table, versions, t, lang, onRollback) {
    const head = el("tr");
    for (const label of [t.h_version, t.h_who, t.h_when, t.h_note, t.h_state, ""]) head.append(el("th", label));
    const thead = el("thead");
    thead.append(head);
    const body = el("tbody");
    for (const v of versions) {
      const tr = el("tr", undefined, v.active ? "active" : "");
      tr.dataset.version = v.version;
      const state = el("td");
      if (v.active) state.append(el("span", t.h_active, "pill"));
      const action = el("td");
      if (!v.active) {
        const button = el("button", t.rollback, "secondary small");
        button.type = "button";
        button.addEventListener("click", () => {
          if (confirm(t.confirm_rollback.replace("{version}", v.version))) onRollback(v.version);
        });
        action.append(button);
      }
      const by = el("td", v.published_by || v.created_by || "\u2013", "by");
      by.title = by.textContent; // an opaque account id can be long: shortened, whole on hover
      tr.append(
        el("td", `v${v.version}`),
        by,
        el("td", when(v.published_at || v.created_at, lang)),
        el("td", v.note || "\u2013", "note"),
        state,
        action,
      );
      body.append(tr);
    }
    table.replaceChildren(thead, body);
  }

  return { render, history };
})();

window.RulesPreview = RulesPreview;
