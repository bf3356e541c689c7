// The rules editor's forms: one fieldset per section of the rule set, built from the model
// the API sends (GET /api/admin/rules/model) and the values it allows. Every control carries
// the path of what it edits (data-path, e.g. "challenges.1.end"), so a problem the server
// reports for a path shows next to its field. Edits change the model in place.
"use strict";

const RulesForms = (() => {
  const { el } = Session;

  // --- the model: values at dotted paths ---------------------------------------------------

  function getAt(model, path) {
    return path.split(".").reduce((node, key) => (node == null ? undefined : node[key]), model);
  }

  function setAt(model, path, value) {
    const keys = path.split(".");
    const last = keys.pop();
    let node = model;
    for (const key of keys) {
      if (node[key] == null) node[key] = {};
      node = node[key];
    }
    if (value === undefined) delete node[last];
    else node[last] = value;
  }

  // A title is a plain string in the rule set's language or a mapping per language:
  // the forms always edit the mapping.
  function titleOf(value, language) {
    if (value && typeof value === "object") return { ...value };
    return value ? { [language]: String(value) } : {};
  }

  function normaliseTitles(node, language) {
    if (Array.isArray(node)) node.forEach((item) => normaliseTitles(item, language));
    else if (node && typeof node === "object") {
      for (const key of Object.keys(node)) {
        if (key === "title") node[key] = titleOf(node[key], language);
        else normaliseTitles(node[key], language);
      }
    }
    return node;
  }

  // --- controls ------------------------------------------------------------------------------

  function word(t, prefix, value) {
    return t[`${prefix}${value}`] || value;
  }

  // A labelled control with room for its problem underneath.
  function field(label, control, path) {
    const box = el("label", undefined, "field");
    box.dataset.path = path;
    box.append(el("span", label, "field-label"), control, el("small", "", "field-problem"));
    return box;
  }

  // Several controls under one caption (checkboxes): a fieldset, as a label holds one control.
  function group(label, controls, path) {
    const box = el("fieldset", undefined, "field wide");
    box.dataset.path = path;
    box.append(el("legend", label, "field-label"), controls, el("small", "", "field-problem"));
    return box;
  }

  function textInput(ctx, path, options = {}) {
    const input = el("input");
    input.type = "text";
    input.value = getAt(ctx.model, path) ?? "";
    input.dataset.path = path;
    if (options.required) input.required = true;
    if (options.maxLength) input.maxLength = options.maxLength;
    input.addEventListener("input", () => {
      setAt(ctx.model, path, input.value.trim() === "" && options.nullable ? null : input.value);
      ctx.changed(path);
    });
    return input;
  }

  function numberInput(ctx, path, limitKey, options = {}) {
    const input = el("input");
    input.type = "number";
    const bounds = ctx.limits[limitKey] || {};
    if (bounds.min != null) input.min = bounds.min;
    else if (bounds.above != null) input.min = options.step === "any" ? bounds.above : bounds.above + 1;
    if (bounds.max != null) input.max = bounds.max;
    input.step = options.step || "1";
    const value = getAt(ctx.model, path);
    input.value = value ?? "";
    if (options.placeholder !== undefined) input.placeholder = options.placeholder;
    input.required = !options.optional;
    input.dataset.path = path;
    input.addEventListener("input", () => {
      const text = input.value.trim();
      if (text === "") setAt(ctx.model, path, options.optional ? (options.empty ?? null) : null);
      else setAt(ctx.model, path, Number(text));
      ctx.changed(path);
    });
    return input;
  }

  function dateInput(ctx, path) {
    const input = el("input");
    input.type = "date";
    input.required = true;
    input.value = getAt(ctx.model, path) || "";
    input.dataset.path = path;
    input.addEventListener("input", () => {
      setAt(ctx.model, path, input.value || null);
      ctx.changed(path);
    });
    return input;
  }

  function select(ctx, path, values, prefix, onPick) {
    const input = el("select");
    input.dataset.path = path;
    for (const value of values) {
      const option = el("option", word(ctx.t, prefix, value));
      option.value = value;
      input.append(option);
    }
    input.value = getAt(ctx.model, path);
    input.addEventListener("change", () => {
      setAt(ctx.model, path, input.value);
      if (onPick) onPick(input.value);
      ctx.changed(path);
    });
    return input;
  }

  // Checkboxes picking several values; none picked means "all".
  function picks(ctx, path, values, prefix) {
    const box = el("div", undefined, "picks");
    box.dataset.path = path;
    const chosen = new Set(getAt(ctx.model, path) || []);
    for (const value of values) {
      const label = el("label", undefined, "pick");
      const input = el("input");
      input.type = "checkbox";
      input.checked = chosen.has(value);
      input.addEventListener("change", () => {
        if (input.checked) chosen.add(value);
        else chosen.delete(value);
        setAt(ctx.model, path, values.filter((v) => chosen.has(v)));
        ctx.changed(path);
      });
      label.append(input, el("span", word(ctx.t, prefix, value)));
      box.append(label);
    }
    return box;
  }

  // A text in every language the product speaks: one input per language.
  function titleFields(ctx, path, label) {
    const group = el("fieldset", undefined, "title-group");
    group.dataset.path = path;
    group.append(el("legend", label));
    const row = el("div", undefined, "title-langs");
    for (const language of ctx.choices.languages) {
      const input = el("input");
      input.type = "text";
      input.lang = language;
      input.maxLength = 200;
      input.value = (getAt(ctx.model, path) || {})[language] || "";
      input.dataset.path = `${path}.${language}`;
      input.addEventListener("input", () => {
        const texts = { ...(getAt(ctx.model, path) || {}) };
        if (input.value.trim()) texts[language] = input.value;
        else delete texts[language];
        setAt(ctx.model, path, texts);
        ctx.changed(`${path}.${language}`);
      });
      const box = el("label", undefined, "field lang");
      box.append(el("span", language.toUpperCase(), "lang-tag"), input);
      row.append(box);
    }
    group.append(row, el("small", "", "field-problem"));
    return group;
  }

  function removeButton(ctx, list, index, rerender) {
    const button = el("button", ctx.t.remove, "secondary small remove");
    button.type = "button";
    button.addEventListener("click", () => {
      getAt(ctx.model, list).splice(index, 1);
      rerender();
      ctx.changed(list);
    });
    return button;
  }

  function addButton(label, onAdd) {
    const button = el("button", label, "secondary add");
    button.type = "button";
    button.addEventListener("click", onAdd);
    return button;
  }

  function section(ctx, path, title, help) {
    const box = el("fieldset", undefined, "rules-section");
    box.dataset.path = path;
    box.append(el("legend", title));
    if (help) box.append(el("p", help, "muted help"));
    box.append(el("small", "", "field-problem"));
    return box;
  }

  // An item of a list (a bonus, a badge, a challenge): its fields and a remove button.
  function card(ctx, list, index, heading, rerender) {
    const box = el("div", undefined, "rules-card");
    box.dataset.path = `${list}.${index}`;
    const head = el("div", undefined, "card-head");
    head.append(el("strong", heading), removeButton(ctx, list, index, rerender));
    box.append(head, el("small", "", "field-problem"));
    return box;
  }

  function uniqueId(items, stem) {
    const taken = new Set(items.map((item) => item.id));
    let n = items.length + 1;
    while (taken.has(`${stem}-${n}`)) n += 1;
    return `${stem}-${n}`;
  }

  function isoDay(offset) {
    const day = new Date();
    day.setDate(day.getDate() + offset);
    const local = new Date(day.getTime() - day.getTimezoneOffset() * 60000);
    return local.toISOString().slice(0, 10);
  }

  // --- sections ------------------------------------------------------------------------------

  function general(ctx) {
    const box = section(ctx, "", ctx.t.sec_general, ctx.t.sec_general_help);
    const grid = el("div", undefined, "field-grid");
    grid.append(
      field(ctx.t.f_name, textInput(ctx, "name", { required: true, maxLength: 200 }), "name"),
      field(ctx.t.f_language, select(ctx, "language", ctx.choices.languages, "lang_"), "language"),
    );
    box.append(grid);
    return box;
  }

  function points(ctx) {
    const box = section(ctx, "points", ctx.t.sec_points, ctx.t.sec_points_help);
    const grid = el("div", undefined, "field-grid");
    for (const kind of ctx.choices.kinds) {
      const path = `points.per_kind.${kind}`;
      grid.append(field(word(ctx.t, "kind_", kind), numberInput(ctx, path, "PointsRules.per_kind", { optional: true, empty: undefined, placeholder: "0" }), path));
    }
    grid.append(
      field(ctx.t.f_daily_cap, numberInput(ctx, "points.daily_cap", "PointsRules.daily_cap", { optional: true, placeholder: ctx.t.no_cap }), "points.daily_cap"),
    );
    box.append(grid);

    // Per app: an empty cell takes the points per kind (shown greyed as its placeholder).
    const table = el("table", undefined, "per-app");
    table.dataset.path = "points.per_app";
    const head = el("tr");
    head.append(el("th", ""));
    for (const app of ctx.choices.apps) head.append(el("th", word(ctx.t, "app_", app)));
    table.append(head);
    for (const kind of ctx.choices.kinds) {
      const tr = el("tr");
      tr.append(el("th", word(ctx.t, "kind_", kind)));
      for (const app of ctx.choices.apps) {
        const path = `points.per_app.${app}.${kind}`;
        const input = numberInput(ctx, path, "PointsRules.per_app", { optional: true, empty: undefined, placeholder: String(ctx.model.points.per_kind[kind] ?? 0) });
        input.setAttribute("aria-label", `${word(ctx.t, "app_", app)}: ${word(ctx.t, "kind_", kind)}`);
        input.addEventListener("input", () => {
          const overrides = ctx.model.points.per_app[app];
          if (overrides && !Object.keys(overrides).length) delete ctx.model.points.per_app[app];
        });
        const td = el("td");
        td.dataset.path = path;
        td.append(input, el("small", "", "field-problem"));
        tr.append(td);
      }
      table.append(tr);
    }
    box.append(el("p", ctx.t.per_app_help, "muted help per-app-help"), table);
    return box;
  }

  function dated(ctx, list, index, grid) {
    grid.append(
      field(ctx.t.f_start, dateInput(ctx, `${list}.${index}.start`), `${list}.${index}.start`),
      field(ctx.t.f_end, dateInput(ctx, `${list}.${index}.end`), `${list}.${index}.end`),
    );
  }

  function idField(ctx, path) {
    const input = textInput(ctx, path, { required: true, maxLength: 64 });
    input.spellcheck = false;
    return field(ctx.t.f_id, input, path);
  }

  function bonuses(ctx) {
    const box = section(ctx, "bonuses", ctx.t.sec_bonuses, ctx.t.sec_bonuses_help);
    const items = el("div", undefined, "cards");
    const render = () => {
      items.replaceChildren();
      ctx.model.bonuses.forEach((bonus, i) => {
        const item = card(ctx, "bonuses", i, `${ctx.t.bonus} ${i + 1}`, render);
        const grid = el("div", undefined, "field-grid");
        grid.append(idField(ctx, `bonuses.${i}.id`));
        dated(ctx, "bonuses", i, grid);
        grid.append(field(ctx.t.f_multiplier, numberInput(ctx, `bonuses.${i}.multiplier`, "Bonus.multiplier", { step: "0.1" }), `bonuses.${i}.multiplier`));
        item.append(titleFields(ctx, `bonuses.${i}.title`, ctx.t.f_title), grid);
        item.append(group(ctx.t.f_apps, picks(ctx, `bonuses.${i}.apps`, ctx.choices.apps, "app_"), `bonuses.${i}.apps`));
        item.append(group(ctx.t.f_kinds, picks(ctx, `bonuses.${i}.kinds`, ctx.choices.kinds, "kind_"), `bonuses.${i}.kinds`));
        items.append(item);
      });
    };
    render();
    box.append(items, addButton(ctx.t.add_bonus, () => {
      const list = ctx.model.bonuses;
      list.push({ ...structuredClone(ctx.defaults.bonus), id: uniqueId(list, "bonus"), title: {}, start: isoDay(0), end: isoDay(6) });
      render();
      ctx.changed("bonuses");
      focusLast(items);
    }));
    return box;
  }

  // Badge fields besides type, id and title, as the model declares them per type.
  function badgeField(ctx, i, name) {
    const path = `badges.${i}.${name}`;
    const type = ctx.model.badges[i].type;
    if (name === "app") return field(ctx.t.f_app, select(ctx, path, ctx.choices.apps, "app_"), path);
    if (name === "metric") return field(ctx.t.f_metric, select(ctx, path, ctx.choices.milestone_metrics, "milestone_"), path);
    const key = `${ctx.badgeModels[type]}.${name}`;
    return field(word(ctx.t, `f_${type}_`, name), numberInput(ctx, path, key), path);
  }

  function newBadge(ctx, type, id, title) {
    const badge = { id, type, title, ...structuredClone(ctx.defaults[`badge_${type}`] || {}) };
    for (const name of ctx.choices.badge_fields[type]) {
      if (badge[name] !== undefined) continue;
      if (name === "app") badge[name] = ctx.choices.apps[0];
      else if (name === "metric") badge[name] = ctx.choices.milestone_metrics[0];
      else {
        const bounds = ctx.limits[`${ctx.badgeModels[type]}.${name}`] || {};
        badge[name] = Math.max(bounds.min ?? 1, 1);
      }
    }
    return badge;
  }

  function badges(ctx) {
    const box = section(ctx, "badges", ctx.t.sec_badges, ctx.t.sec_badges_help);
    const items = el("div", undefined, "cards badges");
    const render = () => {
      items.replaceChildren();
      ctx.model.badges.forEach((badge, i) => {
        const item = card(ctx, "badges", i, word(ctx.t, "badge_", badge.type), render);
        const grid = el("div", undefined, "field-grid");
        const retype = (type) => {
          ctx.model.badges[i] = newBadge(ctx, type, badge.id, badge.title);
          render();
        };
        grid.append(field(ctx.t.f_type, select(ctx, `badges.${i}.type`, ctx.choices.badge_types, "badge_", retype), `badges.${i}.type`));
        grid.append(idField(ctx, `badges.${i}.id`));
        for (const name of ctx.choices.badge_fields[badge.type] || []) grid.append(badgeField(ctx, i, name));
        item.append(titleFields(ctx, `badges.${i}.title`, ctx.t.f_title), grid);
        items.append(item);
      });
    };
    render();
    const adder = el("div", undefined, "adder");
    const kind = el("select");
    kind.setAttribute("aria-label", ctx.t.f_type);
    for (const type of ctx.choices.badge_types) {
      const option = el("option", word(ctx.t, "badge_", type));
      option.value = type;
      kind.append(option);
    }
    adder.append(kind, addButton(ctx.t.add_badge, () => {
      const list = ctx.model.badges;
      list.push(newBadge(ctx, kind.value, uniqueId(list, kind.value.replace(/_/g, "-")), {}));
      render();
      ctx.changed("badges");
      focusLast(items);
    }));
    box.append(items, adder);
    return box;
  }

  function levels(ctx) {
    const box = section(ctx, "levels", ctx.t.sec_levels, ctx.t.sec_levels_help);
    const table = el("table", undefined, "levels");
    const render = () => {
      table.replaceChildren();
      const head = el("tr");
      for (const label of [ctx.t.f_level, ctx.t.f_points_from, ...ctx.choices.languages.map((l) => `${ctx.t.f_title} ${l.toUpperCase()}`), ""]) head.append(el("th", label));
      table.append(head);
      ctx.model.levels.forEach((level, i) => {
        const tr = el("tr");
        tr.dataset.path = `levels.${i}`;
        const cells = [
          [`levels.${i}.level`, numberInput(ctx, `levels.${i}.level`, "Level.level")],
          [`levels.${i}.points`, numberInput(ctx, `levels.${i}.points`, "Level.points")],
        ];
        for (const [path, input] of cells) {
          const td = el("td");
          td.dataset.path = path;
          td.append(input, el("small", "", "field-problem"));
          tr.append(td);
        }
        for (const language of ctx.choices.languages) {
          const td = el("td");
          td.dataset.path = `levels.${i}.title.${language}`;
          const input = el("input");
          input.type = "text";
          input.lang = language;
          input.maxLength = 200;
          input.value = (level.title || {})[language] || "";
          input.setAttribute("aria-label", `${ctx.t.f_title} ${language.toUpperCase()}`);
          input.addEventListener("input", () => {
            const texts = { ...(level.title || {}) };
            if (input.value.trim()) texts[language] = input.value;
            else delete texts[language];
            level.title = texts;
            ctx.changed(`levels.${i}.title`);
          });
          td.append(input);
          tr.append(td);
        }
        const last = el("td");
        last.dataset.path = `levels.${i}.title`;
        last.append(removeButton(ctx, "levels", i, render), el("small", "", "field-problem"));
        tr.append(last);
        table.append(tr);
      });
    };
    render();
    box.append(table, addButton(ctx.t.add_level, () => {
      const list = ctx.model.levels;
      const top = list.reduce((a, l) => (l.points > a.points ? l : a), { level: 0, points: 0 });
      list.push({ level: Math.max(0, ...list.map((l) => l.level || 0)) + 1, points: (top.points || 0) + 100, title: {} });
      render();
      ctx.changed("levels");
    }));
    return box;
  }

  function challenges(ctx) {
    const box = section(ctx, "challenges", ctx.t.sec_challenges, ctx.t.sec_challenges_help);
    const items = el("div", undefined, "cards");
    const render = () => {
      items.replaceChildren();
      ctx.model.challenges.forEach((challenge, i) => {
        const item = card(ctx, "challenges", i, `${ctx.t.challenge} ${i + 1}`, render);
        item.classList.add("challenge");
        const grid = el("div", undefined, "field-grid");
        grid.append(
          idField(ctx, `challenges.${i}.id`),
          field(ctx.t.f_scope, select(ctx, `challenges.${i}.scope`, ctx.choices.challenge_scopes, "scope_"), `challenges.${i}.scope`),
          field(ctx.t.f_metric, select(ctx, `challenges.${i}.metric`, ctx.choices.challenge_metrics, "metric_"), `challenges.${i}.metric`),
        );
        dated(ctx, "challenges", i, grid);
        grid.append(
          field(ctx.t.f_winners, numberInput(ctx, `challenges.${i}.winners`, "Challenge.winners"), `challenges.${i}.winners`),
          field(ctx.t.f_min_size, numberInput(ctx, `challenges.${i}.min_size`, "Challenge.min_size"), `challenges.${i}.min_size`),
          field(ctx.t.f_settle_days, numberInput(ctx, `challenges.${i}.settle_days`, "Challenge.settle_days"), `challenges.${i}.settle_days`),
        );
        item.append(titleFields(ctx, `challenges.${i}.title`, ctx.t.f_title), grid);
        items.append(item);
      });
    };
    render();
    box.append(items, addButton(ctx.t.add_challenge, () => {
      const list = ctx.model.challenges;
      list.push({ ...structuredClone(ctx.defaults.challenge), id: uniqueId(list, "challenge"), title: {}, start: isoDay(0), end: isoDay(13) });
      render();
      ctx.changed("challenges");
      focusLast(items);
    }));
    return box;
  }

  function recognition(ctx) {
    const box = section(ctx, "recognition", ctx.t.sec_recognition, ctx.t.sec_recognition_help);
    const grid = el("div", undefined, "field-grid");
    for (const name of ctx.choices.recognition) {
      const path = `recognition.${name}`;
      grid.append(field(word(ctx.t, "rec_", name), numberInput(ctx, path, `RecognitionRules.${name}`), path));
    }
    box.append(grid);
    return box;
  }

  function focusLast(items) {
    const last = items.lastElementChild;
    if (!last) return;
    last.scrollIntoView({ block: "nearest" });
    const first = last.querySelector("input");
    if (first) first.focus();
  }

  // Builds every section into ``container``; ``changed(path)`` is called after each edit.
  function render(container, ctx) {
    normaliseTitles(ctx.model, ctx.model.language);
    for (const list of ["bonuses", "badges", "levels", "challenges"]) ctx.model[list] = ctx.model[list] || [];
    container.replaceChildren(general(ctx), points(ctx), bonuses(ctx), challenges(ctx), badges(ctx), levels(ctx), recognition(ctx));
  }

  return { render, getAt, titleOf };
})();

window.RulesForms = RulesForms;
