// Employee page: where I stand, what is within reach, my streak calendar, what to try
// next, my kudos and stories, and whether my name is shown.
"use strict";

(() => {
  const t = JSON.parse(document.getElementById("page-texts").textContent);
  const { api, el, row } = Session;
  const $ = (id) => document.getElementById(id);
  const lang = document.documentElement.lang;
  // Rule-set titles (levels, badges, goals) and library texts come back in the page's language.
  const q = encodeURIComponent(lang);
  const locale = { nl: "nl-BE", fr: "fr-BE", en: "en-GB" }[lang] || lang;
  const number = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  const WITHIN_REACH = 4;
  const WEEKS = 12;

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (_, key) => (key in values ? String(values[key]) : ""));
  }

  // ISO dates are calendar days: read them at noon so no time zone moves them.
  function asDay(iso) {
    return new Date(iso.length === 10 ? iso + "T12:00:00" : iso);
  }

  function day(iso, options = { day: "numeric", month: "long" }) {
    return asDay(iso).toLocaleDateString(locale, options);
  }

  function appName(app) {
    return t["m_app_" + app] || app;
  }

  function colleague(label) {
    if (label && label.name) return label.name;
    return label && label.department ? fill(t.m_colleague_from, { department: label.department }) : t.m_colleague;
  }

  function unavailable(list) {
    list.replaceChildren(el("li", t.m_unavailable, "muted me-note"));
  }

  function figure(label, value, note) {
    const box = el("div", undefined, "me-figure");
    box.append(el("div", label, "muted"), el("div", value, "figure"));
    if (note) box.append(el("div", note, "muted"));
    return box;
  }

  function bar(value, max, label) {
    const meter = el("progress");
    meter.max = max > 0 ? max : 1;
    meter.value = Math.min(value, meter.max);
    meter.setAttribute("aria-label", label);
    return meter;
  }

  // --- Where I stand: figures, neighbours, earned badges ---------------------------------

  function showProfile(p, neighbours) {
    const week = p.standings.find((s) => s.window === "week");
    $("figures").replaceChildren(
      figure(t.rank_week, week && week.rank ? "#" + week.rank : "-", week ? `${number.format(week.points)} ${t.points}` : ""),
      figure(t.points_total, number.format(p.points)),
      figure(t.level, p.level ? p.level.title : "-", p.level && p.level.next_points ? `${number.format(p.level.next_points - p.points)} ${t.points} → ${p.level.next_title}` : ""),
      figure(t.streak, p.streak ? p.streak.current : 0, p.streak ? `${t.best} ${p.streak.best}` : ""),
      figure(t.habit, p.habit ? `${p.habit.active_days}/${p.habit.days}${p.habit.reached ? " \u2713" : ""}` : "-", p.habit ? `${t.in_days} ${p.habit.window}` : ""),
    );
    const table = $("neighbours");
    table.replaceChildren();
    for (const entry of (neighbours && neighbours.entries) || []) {
      table.appendChild(row([entry.rank, entry.me ? `${entry.label} (${t.you})` : entry.label, number.format(entry.value)], entry.me ? "me" : ""));
    }
    const badges = $("badges");
    badges.replaceChildren();
    for (const badge of p.badges) {
      const item = el("li");
      item.append(el("span", badge.title, "me-badge-title"), el("span", day(badge.earned_on), "muted"));
      badges.append(item);
    }
    if (!p.badges.length) badges.append(el("li", t.no_badges, "muted"));
  }

  // --- Within reach: the next level and the closest badges -------------------------------

  function ruleInWords(rule) {
    switch (rule.type) {
      case "first_use": return fill(t.m_rule_first_use, { app: appName(rule.app) });
      case "explorer": return fill(t.m_rule_explorer, { apps: rule.apps });
      case "streak": return fill(t.m_rule_streak, { days: rule.days });
      case "habit": return fill(t.m_rule_habit, { days: rule.days, window: rule.window });
      case "milestone": return fill(t["m_rule_milestone_" + rule.metric] || "", { count: number.format(rule.count) });
      default: return "";
    }
  }

  function goal(badge) {
    const item = el("li", undefined, "me-goal");
    item.dataset.badge = badge.id;
    const head = el("div", undefined, "me-goal-head");
    const amount = fill(t.m_of, { progress: number.format(badge.progress), target: number.format(badge.target) });
    head.append(el("strong", badge.title), el("span", amount, "muted me-amount"));
    item.append(head, bar(badge.progress, badge.target, `${badge.title}: ${amount}`), el("div", ruleInWords(badge.rule), "muted me-rule-line"));
    return item;
  }

  function showProgress(progress) {
    const level = $("level");
    const within = $("within");
    const more = $("more-badges");
    if (!progress) {
      level.replaceChildren(el("p", t.m_calendar_unavailable, "muted"));
      within.replaceChildren(el("li", t.m_calendar_unavailable, "muted me-note"));
      return;
    }
    const lv = progress.level;
    if (lv) {
      const names = el("div", undefined, "me-level-names");
      names.append(el("span", lv.title, "me-level-now"));
      if (lv.next_title) names.append(el("span", "→", "muted"), el("span", lv.next_title, "me-level-next"));
      const parts = [names];
      if (lv.next_points !== null && lv.next_points !== undefined) {
        const span = lv.next_points - lv.floor;
        const toGo = fill(t.m_level_to_go, { points: number.format(lv.next_points - lv.points), title: lv.next_title });
        parts.push(bar(lv.points - lv.floor, span, toGo), el("p", toGo, "me-level-to-go"));
      } else {
        parts.push(el("p", t.m_level_top, "me-level-to-go"));
      }
      level.replaceChildren(...parts);
    }
    const badges = progress.badges || [];
    within.replaceChildren(...badges.slice(0, WITHIN_REACH).map(goal));
    if (!badges.length) within.append(el("li", t.m_badges_all_done, "muted me-note"));
    const rest = badges.slice(WITHIN_REACH);
    more.hidden = !rest.length;
    more.querySelector("summary").textContent = fill(t.m_badges_more, { n: rest.length });
    more.querySelector("ul").replaceChildren(...rest.map(goal));
  }

  // --- The streak calendar -------------------------------------------------------------------

  const STATES = ["active", "frozen", "missed", "holiday", "weekend", "today", "future"];

  function streakFigure(label, value) {
    const box = el("div", undefined, "me-streak-figure");
    box.append(el("span", label, "muted"), el("strong", value));
    return box;
  }

  function showCalendar(calendar) {
    const grid = $("calendar");
    if (!calendar) {
      grid.replaceChildren(el("p", t.m_calendar_unavailable, "muted"));
      $("legend").replaceChildren();
      return;
    }
    $("streak-figures").replaceChildren(
      streakFigure(t.m_calendar_now, fill(t.m_calendar_days, { n: calendar.current })),
      streakFigure(t.m_calendar_best, fill(t.m_calendar_days, { n: calendar.best })),
    );
    const weeks = calendar.days.length / 7;
    grid.style.setProperty("--weeks", weeks);
    const cells = [el("div", "", "me-cal-corner")];
    // Month names above the week in which a month begins (and above the first week,
    // unless the next one already names a month).
    const firstOfMonth = (w) => calendar.days.slice(w * 7, w * 7 + 7).find((d) => asDay(d.date).getDate() === 1);
    for (let w = 0; w < weeks; w++) {
      const opening = w === 0 && !(weeks > 1 && firstOfMonth(1)) ? calendar.days[0] : null;
      const first = firstOfMonth(w) || opening;
      const month = first ? asDay(first.date).toLocaleDateString(locale, { month: "short" }) : "";
      cells.push(el("div", month, "me-cal-month"));
    }
    for (let weekday = 0; weekday < 7; weekday++) {
      const name = asDay(calendar.days[weekday].date).toLocaleDateString(locale, { weekday: "short" });
      cells.push(el("div", weekday % 2 === 0 ? name : "", "me-cal-weekday"));
      for (let w = 0; w < weeks; w++) {
        const d = calendar.days[w * 7 + weekday];
        const cell = el("div", d.state === "frozen" ? "\u2744" : "", "me-day me-day-" + d.state);
        cell.dataset.date = d.date;
        cell.dataset.state = d.state;
        if (d.in_streak) cell.classList.add("me-in-streak");
        const what = t["m_day_" + d.state] + (d.in_streak ? ", " + t.m_in_streak : "");
        const label = `${day(d.date, { weekday: "long", day: "numeric", month: "long" })}: ${what}`;
        cell.title = label;
        cell.setAttribute("role", "img");
        cell.setAttribute("aria-label", label);
        cells.push(cell);
      }
    }
    grid.replaceChildren(...cells);
    const legend = $("legend");
    legend.replaceChildren(...STATES.filter((s) => s !== "future").map((state) => {
      const item = el("li");
      item.append(el("span", state === "frozen" ? "\u2744" : "", "me-day me-day-" + state), el("span", t["m_day_" + state]));
      return item;
    }));
    const streakKey = el("li");
    streakKey.append(el("span", "", "me-day me-day-active me-in-streak"), el("span", t.m_in_streak));
    legend.append(streakKey);
    const freezes = calendar.freezes === 0 ? t.m_calendar_no_freeze
      : fill(calendar.freezes === 1 ? t.m_calendar_freeze : t.m_calendar_freezes, { freezes: calendar.freezes, window: calendar.freeze_window });
    $("calendar-rule").textContent = `${t.m_calendar_rule} ${freezes} ${t.m_calendar_today}`;
  }

  // --- Try next ---------------------------------------------------------------------------

  function tryStatus(node, tried, app) {
    const text = {
      pending: fill(t.m_try_pending, { app: appName(app), date: tried && tried.confirm_by ? day(tried.confirm_by) : "" }),
      confirmed: t.m_try_confirmed,
      expired: t.m_try_expired,
    }[tried.status] || "";
    node.textContent = text;
    node.className = "me-try-status " + (tried.status === "confirmed" ? "ok" : "muted");
  }

  function suggestion(item) {
    const card = el("li", undefined, "me-card");
    card.dataset.useCase = item.id;
    const head = el("div", undefined, "me-card-head");
    head.append(el("span", appName(item.app), "me-tag"), el("strong", item.title));
    card.append(head, el("p", item.description));
    if (item.prompts && item.prompts.length) {
      const prompt = el("blockquote", undefined, "me-prompt");
      prompt.append(el("span", t.m_try_prompt, "muted"), el("span", item.prompts[0]));
      card.append(prompt);
    }
    const actions = el("div", undefined, "me-try");
    const status = el("span", fill(t.m_try_points, { points: item.points, app: appName(item.app) }), "me-try-status muted");
    if (item.tried && item.tried !== "expired") {
      tryStatus(status, { status: item.tried }, item.app);
    } else {
      const button = el("button", t.m_try_button);
      button.type = "button";
      button.addEventListener("click", async () => {
        button.disabled = true;
        const result = await api(`/api/usecases/${encodeURIComponent(item.id)}/tried?lang=${q}`, { method: "POST" });
        if (result.ok && result.body) {
          button.remove();
          tryStatus(status, result.body, item.app);
        } else {
          button.disabled = false;
          status.textContent = t.m_try_failed;
          status.className = "me-try-status error";
        }
      });
      actions.append(button);
    }
    actions.append(status);
    card.append(actions);
    return card;
  }

  function showSuggestions(result) {
    const list = $("suggestions");
    if (!result.ok || !result.body) return unavailable(list);
    const items = result.body.suggestions || [];
    list.replaceChildren(...items.map(suggestion));
    if (!items.length) {
      const none = el("li", undefined, "muted me-note");
      const link = el("a", t.m_try_none);
      link.href = `/community?lang=${q}`;
      none.append(link);
      list.append(none);
    }
  }

  // --- Kudos and stories ----------------------------------------------------------------

  function valueTag(value) {
    return el("span", t["m_value_" + value] || value, "me-tag");
  }

  function received(item) {
    const li = el("li");
    const meta = el("div", undefined, "me-meta");
    meta.append(valueTag(item.value), el("span", fill(t.m_kudos_from, { name: colleague(item.giver) })), el("span", day(item.day), "muted"));
    const message = el("p", item.message, "me-message");
    const note = el("p", t.m_kudos_hidden_note, "muted me-hidden-note");
    const toggle = el("label", undefined, "me-switch me-switch-small");
    const box = el("input");
    box.type = "checkbox";
    box.setAttribute("role", "switch");
    box.checked = item.hidden;
    toggle.append(box, el("span", t.m_kudos_hide));
    const show = () => {
      li.classList.toggle("me-hidden", box.checked);
      note.hidden = !box.checked;
    };
    box.addEventListener("change", async () => {
      box.disabled = true;
      const result = await api(`/api/me/kudos/${encodeURIComponent(item.id)}/hidden`, { method: "PUT", body: JSON.stringify({ hidden: box.checked }) });
      if (!result.ok) box.checked = !box.checked;
      box.disabled = false;
      show();
    });
    if (item.message) meta.append(toggle);
    li.append(meta);
    if (item.message) li.append(message, note);
    show();
    return li;
  }

  function given(item) {
    const li = el("li");
    const meta = el("div", undefined, "me-meta");
    meta.append(valueTag(item.value), el("span", fill(t.m_kudos_to, { name: colleague(item.receiver) })), el("span", day(item.day), "muted"));
    li.append(meta);
    if (item.message === null) li.append(el("p", t.m_kudos_message_hidden, "muted me-message"));
    else if (item.message) li.append(el("p", item.message, "me-message"));
    return li;
  }

  function showKudos(result) {
    const mine = $("kudos-received");
    const theirs = $("kudos-given");
    if (!result.ok || !result.body) {
      $("kudos-left").textContent = "";
      unavailable(mine);
      theirs.replaceChildren();
      return;
    }
    const k = result.body;
    $("kudos-left").textContent = fill(t.m_kudos_left, { remaining: k.remaining, allowance: k.allowance, renews_on: day(k.renews_on) });
    mine.replaceChildren(...k.received.map(received));
    theirs.replaceChildren(...k.given.map(given));
    if (!k.received.length) mine.append(el("li", t.m_none_yet, "muted me-note"));
    if (!k.given.length) theirs.append(el("li", t.m_none_yet, "muted me-note"));
  }

  function story(item) {
    const li = el("li");
    const meta = el("div", undefined, "me-meta");
    meta.append(
      el("span", appName(item.app), "me-tag"),
      el("span", fill(t.m_minutes, { minutes: item.minutes_saved })),
      el("span", t["m_status_" + item.status] || item.status, "me-status me-status-" + item.status),
      el("span", day(item.submitted_at), "muted"),
    );
    li.append(meta);
    if (item.use_case_title) li.append(el("strong", item.use_case_title));
    li.append(el("p", item.text, "me-message me-clamp"));
    if (item.status === "rejected" && item.reason) li.append(el("p", fill(t.m_reason, { reason: item.reason }), "muted"));
    return li;
  }

  function showStories(result) {
    const list = $("my-stories");
    if (!result.ok || !Array.isArray(result.body)) return unavailable(list);
    list.replaceChildren(...result.body.map(story));
    if (!result.body.length) list.append(el("li", t.m_stories_none, "muted me-note"));
  }

  // --- Opt-in ---------------------------------------------------------------------------

  function showOptIn(p) {
    const optIn = $("opt-in");
    const withheld = $("name-withheld");
    optIn.checked = p.opted_in;
    withheld.hidden = !(p.opted_in && !p.name_shown);
    optIn.addEventListener("change", async () => {
      optIn.disabled = true;
      const result = await api("/api/me/opt-in", { method: "PUT", body: JSON.stringify({ opted_in: optIn.checked }) });
      if (!result.ok) optIn.checked = !optIn.checked;
      const now = await api(`/api/me?lang=${q}`);
      if (now.ok) withheld.hidden = !(now.body.opted_in && !now.body.name_shown);
      optIn.disabled = false;
    });
  }

  // A section whose answer is missing says so; the others still show.
  const settle = (promise) => promise.catch(() => ({ ok: false, status: 0, body: null }));

  async function load() {
    const [profile, neighbours] = await Promise.all([api(`/api/me?lang=${q}`), settle(api("/api/me/neighbours?radius=3"))]);
    if (!profile.ok) {
      $("signin").hidden = false;
      return;
    }
    $("content").hidden = false;
    showProfile(profile.body, neighbours.body);
    showOptIn(profile.body);
    const [progress, calendar, suggestions, kudos, stories] = await Promise.all([
      settle(api(`/api/me/progress?lang=${q}`)),
      settle(api(`/api/me/calendar?weeks=${WEEKS}`)),
      settle(api(`/api/me/suggestions?lang=${q}&limit=3`)),
      settle(api("/api/me/kudos?limit=20")),
      settle(api(`/api/me/stories?lang=${q}`)),
    ]);
    showProgress(progress.ok ? progress.body : null);
    showCalendar(calendar.ok ? calendar.body : null);
    showSuggestions(suggestions);
    showKudos(kudos);
    showStories(stories);
    document.body.dataset.ready = "true";
  }

  Session.start(load);
})();
