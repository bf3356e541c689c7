// The adoption cockpit: the headline from /api/insights/adoption, every chart from
// /api/insights/cockpit, each with a link to the CSV of exactly what it shows.
"use strict";

(() => {
  const t = JSON.parse(document.getElementById("page-texts").textContent);
  const { api, el } = Session;
  const Charts = CockpitCharts;
  const lang = document.documentElement.lang;
  const $ = (id) => document.getElementById(id);
  const whole = new Intl.NumberFormat(lang);
  const decimal = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  const pct = new Intl.NumberFormat(lang, { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const pctRound = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 0 });
  const signed = new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1, signDisplay: "exceptZero" });
  const day = new Intl.DateTimeFormat(lang, { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
  const short = new Intl.DateTimeFormat(lang, { day: "numeric", month: "short", timeZone: "UTC" });
  const moment = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });
  const INTENTS = ["find", "create", "communicate", "other"];
  const INTENT_COLOURS = { find: "#2f6df6", create: "#1e8e3e", communicate: "#e8710a", other: "#8a93a8" };
  const TIER_COLOURS = ["#1f56cf", "#4f86f7", "#8fb3fb", "#c9dafd", "#e4e7ef", "#b7bfcf"];
  // The option value of "no department" / "no job title" (the API names that group "").
  const NO_GROUP = "\u0000";
  const state = { weeks: 12, department: "", function: "", measure: "four_weeks", cockpit: null, groupsKnown: false };

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, (_, key) => (key in values ? String(values[key]) : ""));
  }

  function isoDate(text) {
    return new Date(text + "T00:00:00Z");
  }

  function rate(value) {
    return value == null ? t.ck_unknown : pct.format(value);
  }

  function points(value) {
    return value == null ? t.ck_unknown : fill(t.ck_points, { value: signed.format(value) });
  }

  function query(extra) {
    const params = new URLSearchParams({ lang, weeks: String(state.weeks) });
    if (state.department !== "") params.set("department", state.department === NO_GROUP ? "" : state.department);
    if (state.function !== "") params.set("function", state.function === NO_GROUP ? "" : state.function);
    for (const [key, value] of Object.entries(extra || {})) params.set(key, value);
    return params.toString();
  }

  function csvLinks() {
    for (const link of document.querySelectorAll("a.ck-csv")) {
      const chart = link.dataset.chart;
      const extra = chart === "heatmap" ? { measure: state.measure } : {};
      link.href = `/api/insights/cockpit/${chart}.csv?${query(extra)}`;
    }
  }

  function hiddenList(name, hidden) {
    const list = document.querySelector(`[data-hidden="${name}"]`);
    if (!list) return;
    list.replaceChildren(
      ...hidden.map((group) => {
        const item = el("li");
        item.append(el("strong", group.label), ": " + group.reason);
        return item;
      }),
    );
    if (hidden.length) list.prepend(el("li", t.ck_hidden_title, "ck-hidden-title"));
  }

  // Headline --------------------------------------------------------------------------

  async function headline() {
    const answer = await api("/api/insights/adoption");
    if (!answer.ok) return;
    const body = answer.body;
    $("head-licensed").textContent = whole.format(body.licensed);
    $("head-active").textContent = whole.format(body.active_7d);
    $("head-rate").textContent = pct.format(body.active_rate_7d);
  }

  // Charts -----------------------------------------------------------------------------

  function weekText(ts) {
    return short.format(new Date(ts * 1000));
  }

  function trend(data) {
    const lines = [
      { label: t.ck_any_app, values: data.trend.weeks.map((w) => w.rate), colour: Charts.INK, width: 3.5 },
      ...data.trend.apps.map((app, i) => ({ label: app.label, values: app.rates, colour: Charts.colour(i), width: 2 })),
    ];
    Charts.weekly($("trend-chart"), data.weeks, lines, { week: weekText, weekLabel: t.ck_col_week, y: (v) => pctRound.format(v), height: 340 });
  }

  function howOften(data) {
    const weeks = data.how_often.weeks;
    Charts.weekly(
      $("how-often-chart"),
      data.weeks,
      [
        { label: t.ck_col_days, values: weeks.map((w) => w.days_per_active_person), colour: "#2f6df6", width: 2.5 },
        { label: t.ck_col_actions_per, values: weeks.map((w) => w.actions_per_active_person), colour: "#e8710a", width: 2.5, scale: "y2", dash: [6, 4] },
      ],
      { week: weekText, weekLabel: t.ck_col_week, y: (v) => decimal.format(v), y2: (v) => decimal.format(v), height: 240 },
    );
  }

  function intents(data) {
    const lines = INTENTS.map((intent) => ({
      label: data.intents.labels[intent],
      values: data.intents.weeks.map((w) => w.shares[intent]),
      colour: INTENT_COLOURS[intent],
      width: intent === "other" ? 1.5 : 2.5,
      dash: intent === "other" ? [4, 4] : undefined,
    }));
    Charts.weekly($("intents-chart"), data.weeks, lines, { week: weekText, weekLabel: t.ck_col_week, y: (v) => pctRound.format(v), height: 240 });
    const mapping = $("intents-mapping");
    mapping.replaceChildren(
      ...INTENTS.map((intent) => {
        const apps = data.intents.mapping.filter((m) => m.intent === intent).map((m) => m.label);
        const item = el("li");
        item.append(el("strong", data.intents.labels[intent]), ": " + apps.join(", "));
        return item;
      }),
    );
  }

  function assisted(data) {
    const weeks = data.assisted.weeks;
    Charts.weekly(
      $("assisted-chart"),
      data.weeks,
      [{ label: t.ck_col_hours, values: weeks.map((w) => w.hours), colour: "#1e8e3e", bars: true }],
      { week: weekText, weekLabel: t.ck_col_week, y: (v) => whole.format(v), height: 240 },
    );
    const last = weeks.filter((w) => w.hours != null).pop();
    $("head-hours").textContent = last ? whole.format(Math.round(last.hours)) : t.ck_unknown;
    if (last) $("head-hours-label").textContent = `${t.ck_assisted_title} (${short.format(isoDate(last.week))})`;
  }

  function heatmap(data) {
    const heat = data.heatmap;
    const table = $("heatmap-table");
    const head = el("tr");
    head.append(el("th", t.ck_col_department), el("th", t.ck_col_licensed, "num"));
    for (const label of heat.app_labels) head.append(el("th", label, "num"));
    const body = el("tbody");
    for (const row of heat.rows) {
      const tr = el("tr");
      tr.append(el("th", row.label), el("td", whole.format(row.licensed), "num muted"));
      for (const cell of row.cells) {
        const value = state.measure === "week" ? cell.week_rate : cell.four_week_rate;
        const td = el("td", value == null ? t.ck_unknown : pctRound.format(value), "num ck-cell");
        if (value != null) {
          const colours = Charts.heat(value);
          td.style.backgroundColor = colours.background;
          td.style.color = colours.ink;
          td.title = `${row.label} · ${heat.app_labels[row.cells.indexOf(cell)]}: ${pct.format(value)}`;
        }
        tr.append(td);
      }
      body.append(tr);
    }
    for (const group of heat.hidden) {
      const tr = el("tr", undefined, "ck-hidden-row");
      tr.append(el("th", group.label), el("td", t.ck_unknown, "num muted"));
      const why = el("td", fill("{reason}", { reason: group.reason }), "muted");
      why.colSpan = heat.apps.length;
      tr.append(why);
      body.append(tr);
    }
    const thead = el("thead");
    thead.append(head);
    table.replaceChildren(thead, body);
    $("measure-week").textContent = fill(t.ck_measure_week, { week: heat.week ? short.format(isoDate(heat.week)) : t.ck_unknown });
    const four = heat.four_weeks;
    $("measure-four").textContent = fill(t.ck_measure_four, {
      first: four.length ? short.format(isoDate(four[0])) : "",
      last: four.length ? short.format(new Date(isoDate(four[four.length - 1]).getTime() + 6 * 86400000)) : "",
    });
  }

  function segments(data) {
    const seg = data.segments;
    const colours = new Map(seg.tiers.map((tier, i) => [tier.id, TIER_COLOURS[i % TIER_COLOURS.length]]));
    $("segments-legend").replaceChildren(
      ...seg.tiers.map((tier) => {
        const item = el("li");
        const swatch = el("span", undefined, "ck-swatch");
        swatch.style.backgroundColor = colours.get(tier.id);
        item.append(swatch, tier.title);
        return item;
      }),
    );
    const bars = $("segments-bars");
    bars.replaceChildren();
    const groups = (seg.overall ? [seg.overall] : []).concat(seg.departments);
    for (const group of groups) {
      const row = el("div", undefined, "ck-bar-row" + (group === seg.overall ? " ck-bar-total" : ""));
      const name = el("div", group.label, "ck-bar-name");
      const bar = el("div", undefined, "ck-bar");
      for (const share of group.tiers) {
        if (!share.share) continue;
        const part = el("span", share.share >= 0.07 ? pctRound.format(share.share) : "", "ck-bar-part");
        part.style.width = `${share.share * 100}%`;
        part.style.backgroundColor = colours.get(share.tier) || "#ccc";
        if (colours.get(share.tier) === TIER_COLOURS[0] || colours.get(share.tier) === TIER_COLOURS[1]) part.classList.add("ck-on-dark");
        const title = (seg.tiers.find((x) => x.id === share.tier) || { title: share.tier }).title;
        part.title = `${title}: ${pct.format(share.share)} (${whole.format(share.people)})`;
        bar.append(part);
      }
      row.append(name, bar, el("div", whole.format(group.licensed), "ck-bar-size muted"));
      bars.append(row);
    }
    hiddenList("segments", seg.hidden);
  }

  function functions(data) {
    const fun = data.functions;
    const table = $("functions-table");
    const head = el("tr");
    for (const [key, cls] of [["function", ""], ["licensed", "num"], ["active", "num"], ["rate_last_week", "num"], ["rate_four", "num"], ["rate_before", "num"], ["change", "num"]]) {
      head.append(el("th", t["ck_col_" + key], cls));
    }
    const body = el("tbody");
    for (const row of fun.rows) {
      const tr = el("tr");
      const change = el("td", points(row.change_points), "num");
      if (row.change_points != null) change.classList.add(row.change_points > 0 ? "up" : row.change_points < 0 ? "down" : "flat");
      tr.append(
        el("th", row.label),
        el("td", whole.format(row.licensed), "num"),
        el("td", row.active_last_week == null ? t.ck_unknown : whole.format(row.active_last_week), "num"),
        el("td", rate(row.rate_last_week), "num"),
        el("td", rate(row.rate_four_weeks), "num"),
        el("td", rate(row.rate_four_weeks_before), "num"),
        change,
      );
      body.append(tr);
    }
    for (const group of fun.hidden) {
      const tr = el("tr", undefined, "ck-hidden-row");
      const why = el("td", group.reason, "muted");
      why.colSpan = 6;
      tr.append(el("th", group.label), why);
      body.append(tr);
    }
    const thead = el("thead");
    thead.append(head);
    table.replaceChildren(thead, body);
    if (!fun.rows.length) table.after(el("p", t.ck_no_rows, "muted"));
  }

  function flags(data) {
    const f = data.flags;
    $("flags-rule").textContent = f.rule;
    $("flags-org").textContent = fill(t.ck_org_rate, { rate: rate(f.organisation_rate) });
    $("flags-list").replaceChildren(
      ...f.departments.map((d) => {
        const item = el("li", undefined, "ck-flag ck-flag-" + (d.flag || "none"));
        const badge = el("span", t["ck_flag_" + (d.flag || "none")], "ck-badge");
        const name = el("span", d.label, "ck-flag-name");
        const figures = el("span", `${rate(d.rate_before)} → ${rate(d.rate_now)} (${points(d.change_points)})`, "ck-flag-figures");
        item.append(badge, name, figures);
        return item;
      }),
    );
    hiddenList("flags", f.hidden);
  }

  function definitions(data) {
    const list = $("definitions-list");
    list.replaceChildren();
    const add = (term, text) => list.append(el("dt", term), el("dd", text));
    add(t.ck_headline_rate, t.ck_headline_definition);
    add(t.ck_trend_title, data.trend.definition);
    add(t.ck_how_often_title, data.how_often.definition);
    add(t.ck_heatmap_title, data.heatmap.definition);
    add(t.ck_segments_title, data.segments.definition);
    for (const tier of data.segments.tiers) add("· " + tier.title, tier.definition);
    add(t.ck_functions_title, data.functions.definition);
    add(t.ck_intents_title, data.intents.definition);
    add(t.ck_assisted_title, data.assisted.definition);
    add(t.ck_flags_title, data.flags.rule);
    for (const node of document.querySelectorAll("[data-definition]")) {
      const part = data[node.dataset.definition];
      node.textContent = part ? part.definition : "";
    }
  }

  function filters(data) {
    if (state.groupsKnown || data.scope.department != null || data.scope.function != null) return;
    const add = (select, rows, key) => {
      for (const row of rows) {
        const option = el("option", row.label);
        option.value = row[key] === "" ? NO_GROUP : row[key];
        select.append(option);
      }
    };
    add($("filter-department"), data.heatmap.rows, "department");
    add($("filter-function"), data.functions.rows.slice().sort((a, b) => a.label.localeCompare(b.label, lang)), "function");
    state.groupsKnown = true;
  }

  function render(data) {
    Charts.clear();
    const cover = data.coverage;
    $("coverage").textContent = cover
      ? fill(t.ck_coverage, { day: day.format(isoDate(cover.last_day)), time: moment.format(new Date(cover.refreshed_at)) })
      : "";
    const notice = $("notice");
    notice.hidden = !data.notice;
    notice.textContent = data.notice || "";
    $("charts").hidden = Boolean(data.notice);
    $("filters").hidden = !cover; // nothing to narrow before the first build
    if (data.notice) return;
    filters(data);
    trend(data);
    howOften(data);
    heatmap(data);
    segments(data);
    functions(data);
    intents(data);
    assisted(data);
    flags(data);
    definitions(data);
    csvLinks();
  }

  async function load() {
    document.body.dataset.ready = "false";
    const answer = await api(`/api/insights/cockpit?${query()}`);
    if (answer.status === 403) {
      $("forbidden").hidden = false;
      $("workspace").hidden = true;
    } else if (answer.ok) {
      state.cockpit = answer.body;
      $("workspace").hidden = false;
      render(answer.body);
    } else {
      const notice = $("notice");
      notice.hidden = false;
      notice.textContent = (answer.body && answer.body.detail) || String(answer.status);
    }
    document.body.dataset.ready = "true";
  }

  function wire() {
    $("filter-department").addEventListener("change", (e) => {
      state.department = e.target.value;
      if (state.department) {
        state.function = "";
        $("filter-function").value = "";
      }
      load();
    });
    $("filter-function").addEventListener("change", (e) => {
      state.function = e.target.value;
      if (state.function) {
        state.department = "";
        $("filter-department").value = "";
      }
      load();
    });
    $("filter-weeks").addEventListener("change", (e) => {
      state.weeks = Number(e.target.value);
      load();
    });
    for (const radio of document.querySelectorAll("input[name=measure]")) {
      radio.addEventListener("change", (e) => {
        state.measure = e.target.value;
        if (state.cockpit) heatmap(state.cockpit);
        csvLinks();
      });
    }
  }

  Session.start(async () => {
    $("content").hidden = false;
    wire();
    await Promise.all([headline(), load()]);
  });
})();
