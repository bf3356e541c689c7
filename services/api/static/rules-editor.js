// The rules editor: the rule set in force as forms (rules-forms.js), checked as the admin
// types (rules-checks.js, then the server), previewed as a table and published or rolled
// back (rules-preview.js). The YAML stays at hand under "Advanced": the forms become YAML on
// the server (POST /api/admin/rules/to-yaml) and YAML becomes forms again there
// (POST /api/admin/rules/from-yaml), so switching keeps every edit.
"use strict";

const RulesEditor = (() => {
  const t = JSON.parse(document.getElementById("page-texts").textContent);
  const { api, el } = Session;
  const lang = document.documentElement.lang || "en";
  const number = new Intl.NumberFormat(lang);
  const $ = (id) => document.getElementById(id);
  const form = $("rules-form");
  const sections = $("rules-sections");
  const advanced = $("advanced");
  const source = $("source");
  const result = $("result");
  const panel = $("preview-panel");
  const summary = $("rules-summary");
  const CHECK_DELAY_MS = 600;

  let info = null; // GET /model: the rule set in force and what its fields allow
  let ctx = null; // what the forms edit
  let formsDirty = false; // forms edited since the YAML was last written from them
  // The YAML the forms were last written to or read from: the text differs from it once it is edited.
  // A state, not a flag set by input events, so the order of the toggle and input events cannot lose an edit.
  let formsSource = "";
  let serverProblems = [];
  let serverWarnings = [];
  let timer = null;
  let asked = 0;

  function post(path, body) {
    return api(path, { method: "POST", body: JSON.stringify(body) });
  }

  function say(...nodes) {
    result.replaceChildren(...nodes);
  }

  function listed(items, className) {
    const ul = el("ul", undefined, className);
    for (const p of items) ul.append(el("li", p.path ? `${p.path}: ${p.message}` : p.message));
    return ul;
  }

  function fromDetail(body) {
    const detail = body && body.detail;
    if (!Array.isArray(detail)) return [{ path: "", message: (body && body.detail) || t.failed }];
    return detail.map((d) => ({ path: (d.loc || []).slice(2).join("."), message: d.msg }));
  }

  // --- problems next to their fields ---------------------------------------------------------

  function spotFor(path) {
    let at = path;
    while (at) {
      for (const node of sections.querySelectorAll(`[data-path="${CSS.escape(at)}"]`)) {
        const spot = node.querySelector(":scope > .field-problem");
        if (spot) return { node, spot };
      }
      at = at.includes(".") ? at.slice(0, at.lastIndexOf(".")) : "";
    }
    return null;
  }

  // Shows problems (and warnings) at their fields; returns those no field could take.
  function place(problems, warnings) {
    for (const node of sections.querySelectorAll(".has-problem, .has-warning")) node.classList.remove("has-problem", "has-warning");
    for (const spot of sections.querySelectorAll(".field-problem")) spot.replaceChildren();
    for (const input of sections.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
    const unplaced = [];
    const seen = new Set();
    for (const [items, kind] of [[problems, "problem"], [warnings, "warning"]]) {
      for (const p of items) {
        const key = `${p.path}|${p.message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const found = spotFor(p.path || "");
        if (!found) {
          unplaced.push({ ...p, kind });
          continue;
        }
        found.node.classList.add(kind === "problem" ? "has-problem" : "has-warning");
        found.spot.append(el("span", p.message, kind));
        if (kind === "problem") {
          const input = sections.querySelector(`[data-path="${CSS.escape(p.path)}"]:is(input, select)`);
          if (input) input.setAttribute("aria-invalid", "true");
        }
      }
    }
    return unplaced;
  }

  function showChecks() {
    if (!ctx) return;
    const local = RulesChecks.check(ctx.model, form, t, info.id_pattern);
    const problems = [...local, ...serverProblems];
    const unplaced = place(problems, serverWarnings);
    const count = new Set(problems.map((p) => `${p.path}|${p.message}`)).size;
    summary.replaceChildren(
      count
        ? el("span", t.problems_count.replace("{n}", number.format(count)), "error")
        : el("span", t.no_problems, "ok"),
    );
    const loose = unplaced.filter((p) => p.kind === "problem");
    const gaps = unplaced.filter((p) => p.kind === "warning");
    if (loose.length) summary.append(listed(loose, "problems"));
    if (gaps.length) summary.append(el("p", t.language_gaps, "muted"), listed(gaps, "warnings"));
    return count;
  }

  async function checkOnServer() {
    const mine = ++asked;
    const answer = await post("/api/admin/rules/to-yaml", { model: ctx.model });
    if (mine !== asked || !answer.ok) return;
    serverProblems = answer.body.problems;
    serverWarnings = answer.body.warnings;
    source.value = answer.body.source;
    formsSource = source.value;
    formsDirty = false;
    showChecks();
  }

  // What the server said about a field no longer holds once the field changes.
  function forget(path) {
    const about = (p) => p.path === path || path.startsWith(`${p.path}.`) || p.path.startsWith(`${path}.`);
    serverProblems = serverProblems.filter((p) => !about(p));
    serverWarnings = serverWarnings.filter((p) => !about(p));
  }

  function changed(path) {
    formsDirty = true;
    forget(path);
    panel.hidden = true; // a preview of other rules no longer holds
    showChecks();
    clearTimeout(timer);
    timer = setTimeout(checkOnServer, CHECK_DELAY_MS);
  }

  // --- forms and YAML ------------------------------------------------------------------------

  function build(model) {
    ctx = {
      t,
      model: structuredClone(model),
      choices: info.choices,
      limits: info.limits,
      defaults: info.defaults,
      badgeModels: info.choices.badge_models,
      idPattern: info.id_pattern,
      changed,
    };
    RulesForms.render(sections, ctx);
    formsDirty = false;
    serverProblems = [];
    serverWarnings = [];
    showChecks();
  }

  // The text to validate, preview or publish: the YAML as edited, or the forms written out.
  async function currentSource() {
    if (!advanced.open && formsDirty) {
      clearTimeout(timer);
      asked += 1;
      const answer = await post("/api/admin/rules/to-yaml", { model: ctx.model });
      if (!answer.ok) return null;
      source.value = answer.body.source;
      formsSource = source.value;
      serverProblems = answer.body.problems;
      serverWarnings = answer.body.warnings;
      formsDirty = false;
      showChecks();
    }
    return source.value;
  }

  advanced.addEventListener("toggle", async () => {
    if (advanced.open) {
      sections.inert = true;
      form.classList.add("frozen");
      await currentSource();
      return;
    }
    const edited = source.value;
    if (edited !== formsSource) {
      const answer = await post("/api/admin/rules/from-yaml", { source: edited });
      if (!answer.ok || !answer.body.ok) {
        advanced.open = true; // stay on the YAML until it holds
        say(el("p", t.yaml_invalid, "error"), listed(answer.ok ? answer.body.problems : fromDetail(answer.body), "problems"));
        return;
      }
      build(answer.body.model);
      formsSource = edited;
      serverWarnings = answer.body.warnings;
      showChecks();
      say(el("p", t.yaml_applied, "ok"));
    }
    sections.inert = false;
    form.classList.remove("frozen");
  });

  form.addEventListener("submit", (event) => event.preventDefault());

  source.addEventListener("input", () => {
    panel.hidden = true;
  });

  // --- validate, preview, publish, roll back -------------------------------------------------

  function report(problems, warnings) {
    if (advanced.open) {
      say(el("p", t.invalid, "error"), listed(problems, "problems"));
      return;
    }
    serverProblems = problems;
    serverWarnings = warnings || [];
    showChecks();
    const first = sections.querySelector(".has-problem");
    if (first) first.scrollIntoView({ block: "center" });
    say(el("p", t.invalid, "error"), listed(problems, "problems"));
  }

  $("validate").addEventListener("click", async () => {
    const text = await currentSource();
    const answer = await post("/api/admin/rules/validate", { source: text });
    if (!answer.ok) return say(listed(fromDetail(answer.body), "problems"));
    if (!answer.body.ok) return report(answer.body.problems, []);
    serverProblems = [];
    serverWarnings = answer.body.warnings;
    if (!advanced.open) showChecks();
    const gaps = answer.body.warnings.length ? [el("p", t.language_gaps, "muted"), listed(answer.body.warnings, "warnings")] : [];
    say(el("p", t.valid, "ok"), ...gaps);
  });

  function badgeTitle(id) {
    for (const model of [ctx.model, info.model]) {
      const badge = (model.badges || []).find((b) => b.id === id);
      if (badge) {
        const title = RulesForms.titleOf(badge.title, model.language);
        return title[lang] || title[model.language] || Object.values(title)[0] || id;
      }
    }
    return id;
  }

  $("preview").addEventListener("click", async () => {
    say(el("p", t.previewing, "muted"));
    const text = await currentSource();
    const answer = await post("/api/admin/rules/preview", { source: text });
    if (!answer.ok) return report(fromDetail(answer.body), []);
    say();
    RulesPreview.render(panel, answer.body, t, badgeTitle, number);
    panel.hidden = false;
    panel.scrollIntoView({ block: "start" });
  });

  $("publish").addEventListener("click", async () => {
    if (!advanced.open && showChecks()) return say(el("p", t.fix_first, "error"));
    if (!confirm(t.confirm_publish)) return;
    const text = await currentSource();
    const note = $("note").value.trim() || null;
    const answer = await post("/api/admin/rules", { source: text, note });
    if (!answer.ok) return report(fromDetail(answer.body), []);
    $("note").value = "";
    panel.hidden = true;
    await load(); // the YAML is what was just published: back to the forms as they are
    advanced.open = false;
    say(el("p", `${t.published} v${answer.body.version}`, "ok"));
  });

  async function rollback(version) {
    const answer = await post("/api/admin/rules/rollback", { version });
    if (!answer.ok) return say(listed(fromDetail(answer.body), "problems"));
    panel.hidden = true;
    await load();
    advanced.open = false;
    say(el("p", t.rolled_back.replace("{version}", version).replace("{new}", answer.body.version), "ok"));
  }

  async function loadHistory() {
    const answer = await api("/api/admin/rules/history");
    const versions = answer.ok ? answer.body : [];
    $("history-empty").hidden = versions.length > 0;
    RulesPreview.history($("history"), versions, t, lang, rollback);
  }

  // Loads the rule set in force into the forms; false when the visitor may not edit rules.
  async function load() {
    const answer = await api("/api/admin/rules/model");
    if (answer.status === 401 || answer.status === 403) {
      $("signin").hidden = false;
      const why = el("p", answer.body && answer.body.detail, "error");
      $("signin").append(why);
      return false;
    }
    if (!answer.ok) {
      say(listed(fromDetail(answer.body), "problems"));
      return true;
    }
    info = answer.body;
    source.value = info.source;
    formsSource = info.source;
    $("version").textContent = info.version ? `v${info.version}` : t.not_published;
    build(info.model);
    await loadHistory();
    return true;
  }

  return { load };
})();

window.RulesEditor = RulesEditor;
