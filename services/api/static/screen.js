// Office screen: rotates through views, refreshes live over Server-Sent Events; shows the
// check-in code of a champion event in a side panel while one runs (display tokens only).
"use strict";

(() => {
  const config = JSON.parse(document.getElementById("screen-config").textContent);
  const t = config.texts;
  const token = new URLSearchParams(location.search).get("token");
  const stage = document.getElementById("stage");
  const title = document.getElementById("view-title");
  const unit = document.getElementById("unit");
  const dots = document.getElementById("dots");
  const liveBadge = document.getElementById("live");
  const toast = document.getElementById("toast");
  const checkin = document.getElementById("checkin");
  const windowName = t[config.window] || config.window;
  let current = 0;
  let rotateTimer = null;
  let lastRows = new Map();
  let storyTurn = 0; // which story the stories view features, one more each time round
  let newestStory = false; // a story was just approved: feature the newest next

  const locale = { nl: "nl-BE", fr: "fr-BE", en: "en-GB" }[config.lang] || config.lang;
  const fmt = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => (k in values ? values[k] : ""));
  const number = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  const percent = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 0 });
  const dayUnit = new Intl.NumberFormat(locale, { style: "unit", unit: "day", unitDisplay: "narrow" });

  function withToken(url) {
    if (!token) return url;
    return url + (url.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(token);
  }

  async function getJSON(url) {
    const response = await fetch(withToken(url), { cache: "no-store" });
    if (!response.ok) throw new Error(url + " answered " + response.status);
    return response.json();
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // A template whose placeholders become spans (class "part-<name>"), so the parts that
  // matter (who, what, how long) can stand out. A value may already be a node.
  function compose(template, values) {
    const parts = [];
    let last = 0;
    for (const match of template.matchAll(/\{(\w+)\}/g)) {
      if (match.index > last) parts.push(template.slice(last, match.index));
      const value = match[1] in values ? values[match[1]] : "";
      parts.push(value instanceof Node ? value : el("span", "part-" + match[1], String(value)));
      last = match.index + match[0].length;
    }
    if (last < template.length) parts.push(template.slice(last));
    return parts;
  }

  // Rule content may come as one string or as one string per language.
  function localized(value) {
    if (value === null || value === undefined) return "";
    if (typeof value !== "object") return String(value);
    return value[config.lang] || Object.values(value).find(Boolean) || "";
  }

  function personLabel(entry) {
    return entry.name || fmt(t.colleague, { rank: entry.rank });
  }

  function list(className, total) {
    const node = el("ol", className);
    node.dataset.total = String(total);
    return node;
  }

  // A challenge on the share of active members reads as a percentage; anything else as a number.
  function valueFormat(metric) {
    return metric === "active_rate" ? (v) => percent.format(v / 100) : (v) => number.format(v);
  }

  function renderBoard(board, labelOf, showMembers, formatValue = valueFormat()) {
    const entries = board.entries || [];
    if (!entries.length) return el("p", "empty", t.empty);
    const rows = list("board", entries.length);
    rows.dataset.scope = board.scope;
    // One width for the values of every row, so they line up with each other.
    rows.style.setProperty("--value-chars", Math.max(...entries.map((e) => formatValue(e.value).length)));
    const best = Math.max(...entries.map((e) => e.value), 1);
    const seen = new Map();
    for (const entry of entries) {
      const label = labelOf(entry);
      const row = el("li", "row");
      row.dataset.label = label;
      row.dataset.value = String(entry.value);
      const fill = el("div", "fill");
      fill.style.width = Math.max(2, (100 * entry.value) / best) + "%";
      const members = showMembers && entry.members ? fmt(t.members, { n: number.format(entry.members) }) : "";
      row.append(
        fill,
        el("div", "rank", String(entry.rank)),
        el("div", "who", label),
        el("div", "members", members),
        el("div", "value", formatValue(entry.value)),
      );
      const key = board.scope + ":" + label;
      if (lastRows.has(key) && lastRows.get(key) !== entry.value) row.classList.add("changed");
      seen.set(key, entry.value);
      rows.appendChild(row);
    }
    for (const [k, v] of seen) lastRows.set(k, v);
    setTimeout(() => rows.querySelectorAll(".changed").forEach((r) => r.classList.remove("changed")), 2500);
    return rows;
  }

  function countdown(endsAt) {
    const ms = Math.max(0, new Date(endsAt) - Date.now());
    const days = Math.floor(ms / 86400000);
    const hours = Math.floor((ms % 86400000) / 3600000);
    const minutes = Math.floor((ms % 3600000) / 60000);
    const seconds = Math.floor((ms % 60000) / 1000);
    const pad = (n) => String(n).padStart(2, "0");
    return (days ? dayUnit.format(days) + " " : "") + pad(hours) + ":" + pad(minutes) + ":" + pad(seconds);
  }

  function renderChallenge(challenge) {
    const title = localized(challenge && (challenge.titles || challenge.title));
    if (!title) return null;
    const box = el("div", "challenge");
    const head = el("div", "challenge-head");
    const clock = el("div", "countdown");
    clock.append(...compose(t.challenge_ends, { countdown: countdown(challenge.ends_at) }));
    const time = clock.querySelector(".part-countdown");
    if (time) time.classList.add("time");
    const tick = setInterval(() => {
      if (!clock.isConnected) return clearInterval(tick);
      if (time) time.textContent = countdown(challenge.ends_at);
    }, 1000);
    head.append(el("div", "challenge-name two-lines", title), clock);
    box.append(head);
    if (challenge.board) {
      box.append(renderBoard(challenge.board, (e) => e.label, false, valueFormat(challenge.metric)));
    }
    return box;
  }

  function renderAdoption(adoption) {
    const licensed = Number(adoption && adoption.licensed) || 0;
    if (!licensed) return null;
    const active = Number(adoption.active) || 0;
    const rate = Number.isFinite(adoption.active_rate) ? adoption.active_rate : active / licensed;
    const percent = Math.round(100 * Math.min(1, Math.max(0, rate)));
    const box = el("div", "meter");
    box.append(el("div", "big", percent + "%"));
    const track = el("div", "track");
    const bar = el("div");
    bar.style.width = percent + "%";
    track.append(bar);
    const values = { ...adoption, active: number.format(active), licensed: number.format(licensed) };
    box.append(track, el("div", "line two-lines", fmt(t.adoption_line, values)));
    return box;
  }

  function renderCelebrations(items) {
    if (!Array.isArray(items) || !items.length) return null;
    const shown = items.slice(0, config.boardSize);
    const rows = list("board celebrations", shown.length);
    for (const item of shown) {
      const row = el("li", "row");
      const what = el("div", "what two-lines");
      what.append(...celebrationParts(item));
      const icon = el("div", "icon", ICONS[item.kind] || ICONS.badge);
      row.append(icon, what, el("div", "when", when(item.at)));
      rows.appendChild(row);
    }
    return rows;
  }

  function when(at) {
    const moment = new Date(at);
    if (Number.isNaN(moment.getTime())) return "";
    const time = moment.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
    if (moment.toDateString() === new Date().toDateString()) return time;
    return moment.toLocaleDateString(locale, { weekday: "short" }) + " " + time;
  }

  const ICONS = { badge: "\u2605", level: "\u25B2", challenge: "\u265B", kudos: "\u2665" };

  // One story at a time, large: the app and the minutes it saved, the use case, the
  // story in the author's words, and who told it (a name only when they chose so).
  function renderStories(data) {
    const stories = (data && data.stories) || [];
    if (!stories.length) return null;
    if (newestStory) storyTurn = 0;
    newestStory = false;
    const story = stories[storyTurn % stories.length];
    const box = el("article", "story");
    box.dataset.story = story.id;
    const head = el("div", "story-head");
    const minutes = el("div", "story-minutes");
    minutes.append(...compose(t.story_minutes, { minutes: number.format(story.minutes_saved) }));
    head.append(el("div", "story-app", t["app_" + story.app] || story.app), minutes);
    box.append(head);
    if (story.use_case_title) box.append(el("div", "story-case two-lines", story.use_case_title));
    const text = el("blockquote", "story-text", story.text);
    box.append(text);
    const teller = story.author
      ? [story.author, story.department].filter(Boolean).join(", ")
      : story.department ? fmt(t.story_colleague_from, { department: story.department }) : t.story_colleague;
    box.append(el("div", "story-by", "\u2014 " + teller));
    if (stories.length > 1) {
      const which = el("ol", "story-dots");
      which.setAttribute("aria-hidden", "true");
      stories.forEach((_, i) => which.append(el("li", i === storyTurn % stories.length ? "on" : "")));
      box.append(which);
    }
    return box;
  }

  // "Ann thanked a colleague", what for, and the message when both are named.
  function kudosParts(item) {
    const person = (name, fallback) => {
      const who = el("span", "part-who");
      who.append(el("span", "name", name || fallback));
      return who;
    };
    const parts = compose(t.kudos_line, {
      giver: person(item.giver, t.kudos_giver),
      receiver: person(item.receiver, t.kudos_receiver),
    });
    parts.push(" ", el("span", "part-value", t["kudos_" + item.value] || item.value));
    if (item.message) parts.push(" ", el("span", "part-message", "\u201C" + item.message + "\u201D"));
    return parts;
  }

  function renderKudos(items) {
    if (!Array.isArray(items) || !items.length) return null;
    const rows = list("board celebrations kudos", items.length);
    for (const item of items) {
      const row = el("li", "row");
      const what = el("div", "what two-lines");
      what.append(...kudosParts(item));
      row.append(el("div", "icon", ICONS.kudos), what, el("div", "when", when(item.at)));
      rows.appendChild(row);
    }
    return rows;
  }

  const views = [
    {
      name: "teams",
      title: () => fmt(t.teams_title, { window: windowName }),
      unit: t.teams_unit,
      load: () => getJSON(`/api/leaderboards/teams?window=${config.window}&limit=${config.boardSize}`),
      render: (board) => renderBoard(board, (e) => e.label, true),
    },
    {
      name: "people",
      title: () => fmt(t.people_title, { window: windowName }),
      unit: t.people_unit,
      load: () => getJSON(`/api/leaderboards/people?window=${config.window}&limit=${config.boardSize}`),
      render: (board) => renderBoard(board, personLabel, false),
    },
    {
      name: "rising",
      title: () => t.rising_title,
      unit: t.rising_unit,
      optional: true,
      load: () => getJSON(`/api/leaderboards/people?window=day&limit=5`),
      render: (board) => (board.entries.length ? renderBoard(board, personLabel, false) : null),
    },
    {
      name: "challenge",
      title: () => t.challenge_title,
      unit: "",
      optional: true,
      load: () => getJSON("/api/screen/challenge?lang=" + encodeURIComponent(config.lang)),
      render: renderChallenge,
    },
    {
      name: "adoption",
      title: () => t.adoption_title,
      unit: "",
      optional: true,
      load: () => getJSON("/api/screen/adoption"),
      render: renderAdoption,
    },
    {
      name: "badges",
      title: () => t.badges_title,
      unit: "",
      optional: true,
      load: () => getJSON("/api/screen/celebrations?lang=" + encodeURIComponent(config.lang)),
      render: renderCelebrations,
    },
    {
      name: "stories",
      title: () => t.stories_title,
      unit: t.stories_unit,
      optional: true,
      load: () => getJSON("/api/screen/stories?limit=6&lang=" + encodeURIComponent(config.lang)),
      render: renderStories,
    },
    {
      name: "kudos",
      title: () => t.kudos_title,
      unit: t.kudos_unit,
      optional: true,
      load: () => getJSON(`/api/screen/kudos?limit=${config.boardSize}`),
      render: renderKudos,
    },
  ];

  // One team's or department's board first (/screen?team= or ?department=, as a Teams
  // channel tab shows it): who contributed, and in the footer its rank and active share.
  let groupLine = "";
  function renderGroup(standing) {
    groupLine = [
      standing.rank ? fmt(t.group_rank, { rank: standing.rank }) : t.group_unranked,
      fmt(t.group_points, { points: number.format(standing.points_per_member) }),
      fmt(t.group_active, { active: number.format(standing.active), members: number.format(standing.members) }),
    ].join(" \u00b7 ");
    const entries = standing.named.map((c, i) => ({ rank: i + 1, label: c.name, value: c.points }));
    if (standing.others) {
      entries.push({ rank: "", label: fmt(t.group_others, { n: number.format(standing.others) }), value: standing.others_points });
    }
    return renderBoard({ scope: "group", entries }, (e) => e.label, false);
  }
  if (config.group) {
    views.unshift({
      name: "group",
      title: () => fmt(t.group_title, { group: config.group.name, window: windowName }),
      get unit() {
        return groupLine;
      },
      load: () => getJSON(`/api/${config.group.scope}/${encodeURIComponent(config.group.name)}?window=${config.window}`),
      render: renderGroup,
    });
  }

  // Name and team are each cut short when long, so what was earned always shows.
  function celebrationParts(item) {
    const who = el("span", "part-who");
    who.append(el("span", "name", item.name || t.someone));
    if (item.team) who.append(" ", ...compose(t.team_of, { team: item.team }));
    const template = t["celebrate_" + item.kind] || t.celebrate_badge;
    return compose(template, { who, title: localized(item.titles || item.title) });
  }

  function drawDots() {
    dots.replaceChildren(...views.map((_, i) => {
      const dot = el("li");
      if (i === current) dot.classList.add("on");
      return dot;
    }));
  }

  async function show(index, { quiet = false } = {}) {
    for (let step = 0; step < views.length; step++) {
      const i = (index + step) % views.length;
      const view = views[i];
      let node = null;
      try {
        node = view.render(await view.load());
      } catch (error) {
        if (!view.optional) node = el("p", "empty", t.empty);
      }
      if (!node) continue;
      current = i;
      title.textContent = view.title();
      fitTitle();
      unit.textContent = view.unit;
      stage.replaceChildren(node);
      fit();
      fitStory();
      drawDots();
      document.body.dataset.fitted = checkin.hidden ? "plain" : "checkin";
      document.body.dataset.view = view.name;
      return;
    }
    if (!quiet) stage.replaceChildren(el("p", "empty", t.empty));
  }

  function overflowing() {
    const style = getComputedStyle(stage);
    const room = stage.getBoundingClientRect();
    const top = room.top + parseFloat(style.paddingTop) - 0.5;
    const bottom = room.bottom - parseFloat(style.paddingBottom) + 0.5;
    const parts = [...stage.children, ...stage.querySelectorAll("ol[data-total]")];
    return parts.some((part) => {
      const box = part.getBoundingClientRect();
      return box.top < top || box.bottom > bottom;
    });
  }

  // A title too long for the header gets smaller type, then a second line.
  function fitTitle() {
    for (const size of ["", "smaller", "two-lines"]) {
      title.dataset.fit = size;
      if (title.scrollWidth <= title.clientWidth + 1 && title.scrollHeight <= title.clientHeight + 1) return;
    }
  }

  // Texts clamped to two lines that still run over cut long names short instead.
  function tighten(texts) {
    for (const text of texts) text.classList.remove("tight");
    for (const text of texts) text.classList.toggle("tight", text.scrollHeight > text.clientHeight + 1);
  }

  // Lists step down to smaller rows, then show fewer entries, until the view fits:
  // an office screen has no scrollbar and nobody scrolls it.
  function fit() {
    const lists = [...stage.querySelectorAll("ol[data-total]")];
    if (!lists.length) return;
    const texts = [...stage.querySelectorAll(".what")];
    for (const density of ["large", "roomy", "dense", "compact"]) {
      for (const rows of lists) rows.dataset.density = density;
      tighten(texts);
      if (!overflowing()) return;
    }
    for (const rows of lists) {
      while (overflowing() && rows.children.length > 1) rows.lastElementChild.remove();
    }
  }

  // A story steps its type down (and its lines up) until all of it shows, and ends in
  // an ellipsis when even the smallest type is not enough.
  function fitStory() {
    const story = stage.querySelector(".story");
    if (!story) return;
    const text = story.querySelector(".story-text");
    for (const density of ["large", "roomy", "dense", "compact"]) {
      story.dataset.density = density;
      text.dataset.lines = getComputedStyle(text).getPropertyValue("--story-lines").trim();
      if (!overflowing() && text.scrollHeight <= text.clientHeight + 1) return;
    }
  }

  function rotate() {
    if (!config.rotate) return;
    clearTimeout(rotateTimer);
    rotateTimer = setTimeout(async () => {
      const next = (current + 1) % views.length;
      if (views[next].name === "stories") storyTurn += 1;
      await show(next);
      if (checkin.hidden) checkCheckin();
      rotate();
    }, config.rotateSeconds * 1000);
  }

  let refreshTimer = null;
  function refreshSoon() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => show(current, { quiet: true }), 250);
  }

  function celebrate(item, parts = celebrationParts(item), kind = "award") {
    const line = el("span", "line");
    line.append(...parts);
    toast.dataset.kind = kind;
    toast.replaceChildren(line);
    toast.hidden = false;
    // Too long for one line: smaller type on two lines, still within the footer.
    toast.classList.remove("wrapped");
    toast.classList.toggle("wrapped", line.scrollWidth > line.clientWidth + 1);
    tighten([line]);
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => (toast.hidden = true), 6000);
  }

  function connect() {
    // EventSource reconnects by itself after a network loss (server sends retry: 3000).
    const source = new EventSource(withToken("/api/live"));
    source.addEventListener("open", () => {
      liveBadge.dataset.state = "open";
      liveBadge.textContent = t.live;
      refreshSoon();
      checkCheckin();
    });
    source.addEventListener("error", () => {
      liveBadge.dataset.state = "connecting";
      liveBadge.textContent = t.offline;
      // A refusal (503: this server has all the screens it takes; 401) closes the source for
      // good: try again in 30 to 60 s, spread out so that refused screens do not return at once.
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 30000 + Math.random() * 30000);
    });
    source.addEventListener("boards", refreshSoon);
    source.addEventListener("celebration", (event) => celebrate(JSON.parse(event.data)));
    source.addEventListener("community", (event) => community(JSON.parse(event.data)));
  }

  // A story approved or withdrawn, a kudos given, a champion event planned or changed:
  // read the view it concerns again (the stories and kudos views come round anyway).
  function community(news) {
    const showing = views[current] && views[current].name;
    if (news.kind === "story") {
      if (news.change === "approved") newestStory = true;
      if (showing === "stories") refreshSoon();
    } else if (news.kind === "kudos") {
      celebrate(news, kudosParts(news), "kudos");
      if (showing === "kudos") refreshSoon();
    } else if (news.kind === "event") {
      checkCheckin();
      for (const moment of [news.opens_at, news.closes_at]) {
        const wait = new Date(moment) - Date.now();
        if (wait > 0 && wait < 86400000) setTimeout(checkCheckin, wait + 1000);
      }
    }
  }

  // --- Check-in codes of running champion events (a screen with a display token) ---------

  let checkinAllowed = Boolean(token);
  let checkinTimer = null;
  let checkinAsked = null;

  function checkCheckin() {
    if (!checkinAllowed) return Promise.resolve();
    if (!checkinAsked) checkinAsked = askCheckin().finally(() => (checkinAsked = null));
    return checkinAsked;
  }

  async function askCheckin() {
    clearTimeout(checkinTimer);
    let answer = null;
    try {
      const response = await fetch(withToken("/api/screen/checkin"), { cache: "no-store" });
      if (response.status === 401 || response.status === 403) {
        checkinAllowed = false; // not a display token: this screen shows no codes
        showCheckin(null);
        return;
      }
      if (response.ok) answer = await response.json();
    } catch (error) {
      answer = null;
    }
    const event = answer && answer.events && answer.events[0];
    if (answer) showCheckin(event || null);
    // While a code shows it changes every few minutes: ask again as the answer says.
    if (!checkin.hidden) checkinTimer = setTimeout(checkCheckin, ((answer && answer.refresh_seconds) || 20) * 1000);
  }

  function showCheckin(event) {
    const was = !checkin.hidden;
    if (event) {
      document.getElementById("checkin-event").textContent = event.title;
      document.getElementById("checkin-where").textContent = event.location || "";
      const qr = document.getElementById("checkin-qr");
      if (qr.getAttribute("src") !== event.qr_data_uri) qr.src = event.qr_data_uri;
      document.getElementById("checkin-code").textContent = event.code;
      const at = new Date(event.rotates_at).toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
      document.getElementById("checkin-rotates").textContent = fmt(t.checkin_rotates, { time: at });
      checkin.dataset.event = event.id;
    }
    checkin.hidden = !event;
    document.body.classList.toggle("with-checkin", Boolean(event));
    if (was !== Boolean(event)) refreshSoon(); // the stage got narrower or wider
  }

  function tickClock() {
    const now = new Date();
    document.getElementById("clock").textContent = now.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
  }

  tickClock();
  setInterval(tickClock, 10000);
  window.addEventListener("resize", refreshSoon);
  const start = Math.max(0, views.findIndex((v) => v.name === config.startView));
  show(start).then(rotate);
  connect();
})();
