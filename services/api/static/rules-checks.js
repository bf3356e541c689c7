// The rules editor's checks in the browser, run as the admin types: the basics a form can
// see at once (a required title, an end before its start, an id the model refuses, a number
// out of range). The server's validation stays the judge; its problems show the same way.
// Problems carry the path of their field (e.g. "challenges.1.end").
"use strict";

const RulesChecks = (() => {
  function titled(problems, t, path, title) {
    const texts = title && typeof title === "object" ? Object.values(title) : [title];
    if (!texts.some((text) => typeof text === "string" && text.trim())) problems.push({ path, message: t.check_title });
  }

  function ids(problems, t, pattern, list, items) {
    const seen = new Set();
    items.forEach((item, i) => {
      const path = `${list}.${i}.id`;
      if (!item.id) problems.push({ path, message: t.check_required });
      else if (!pattern.test(item.id)) problems.push({ path, message: t.check_id });
      else if (seen.has(item.id)) problems.push({ path, message: t.check_duplicate });
      seen.add(item.id);
    });
  }

  function dated(problems, t, list, items) {
    items.forEach((item, i) => {
      if (!item.start) problems.push({ path: `${list}.${i}.start`, message: t.check_required });
      if (!item.end) problems.push({ path: `${list}.${i}.end`, message: t.check_required });
      if (item.start && item.end && item.end < item.start) problems.push({ path: `${list}.${i}.end`, message: t.check_end_before_start });
    });
  }

  // Number fields the browser already judges (required, min, max, step).
  function controls(problems, form) {
    for (const input of form.querySelectorAll("input[data-path]")) {
      if (!input.validity.valid) problems.push({ path: input.dataset.path, message: input.validationMessage });
    }
  }

  function check(model, form, t, idPattern) {
    const problems = [];
    const pattern = new RegExp(idPattern);
    if (!model.name || !String(model.name).trim()) problems.push({ path: "name", message: t.check_required });
    for (const list of ["bonuses", "badges", "challenges"]) {
      const items = model[list] || [];
      ids(problems, t, pattern, list, items);
      items.forEach((item, i) => titled(problems, t, `${list}.${i}.title`, item.title));
    }
    dated(problems, t, "bonuses", model.bonuses || []);
    dated(problems, t, "challenges", model.challenges || []);
    (model.challenges || []).forEach((c, i) => {
      if (c.metric === "active_rate" && c.scope === "person") problems.push({ path: `challenges.${i}.metric`, message: t.check_rate_scope });
    });
    (model.badges || []).forEach((b, i) => {
      if (b.type === "habit" && b.days > b.window) problems.push({ path: `badges.${i}.days`, message: t.check_habit });
    });
    const levels = model.levels || [];
    if (!levels.length) problems.push({ path: "levels", message: t.check_levels_empty });
    else if (!levels.some((l) => l.points === 0)) problems.push({ path: "levels", message: t.check_level_zero });
    levels.forEach((l, i) => titled(problems, t, `levels.${i}.title`, l.title));
    const rec = model.recognition || {};
    if (rec.activity > rec.activity_max) problems.push({ path: "recognition.activity", message: t.check_activity_max });
    if (form) controls(problems, form);
    return problems;
  }

  return { check };
})();

window.RulesChecks = RulesChecks;
