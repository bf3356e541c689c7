// Office screen: rotates through views, refreshes live over Server-Sent Events.
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
  const windowName = t[config.window] || config.window;
  let current = 0;
  let rotateTimer = null;
  let lastRows = new Map();

  const fmt = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => (k in values ? values[k] : ""));
  const number = new Intl.NumberFormat(config.lang === "nl" ? "nl-BE" : "en-GB", { maximumFractionDigits: 1 });

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

  function personLabel(entry) {
    return entry.name || fmt(t.colleague, { rank: entry.rank });
  }

  function renderBoard(board, labelOf, showMembers) {
    const entries = board.entries;
    if (!entries.length) return el("p", "empty", t.empty);
    const list = el("ol", entries.length > 6 ? "board dense" : "board");
    list.dataset.scope = board.scope;
    const best = Math.max(...entries.map((e) => e.value), 1);
    const seen = new Map();
    for (const entry of entries) {
      const label = labelOf(entry);
      const row = el("li", "row");
      row.dataset.label = label;
      row.dataset.value = String(entry.value);
      const fill = el("div", "fill");
      fill.style.width = Math.max(2, (100 * entry.value) / best) + "%";
      const who = el("div", "who", label);
      if (showMembers && entry.members) who.appendChild(el("small", "", fmt(t.members, { n: entry.members })));
      row.append(fill, el("div", "rank", String(entry.rank)), who, el("div", "value", number.format(entry.value)));
      const key = board.scope + ":" + label;
      if (lastRows.has(key) && lastRows.get(key) !== entry.value) row.classList.add("changed");
      seen.set(key, entry.value);
      list.appendChild(row);
    }
    for (const [k, v] of seen) lastRows.set(k, v);
    setTimeout(() => list.querySelectorAll(".changed").forEach((r) => r.classList.remove("changed")), 2500);
    return list;
  }

  function countdown(endsAt) {
    const ms = Math.max(0, new Date(endsAt) - Date.now());
    const days = Math.floor(ms / 86400000);
    const hours = Math.floor((ms % 86400000) / 3600000);
    const minutes = Math.floor((ms % 3600000) / 60000);
    const seconds = Math.floor((ms % 60000) / 1000);
    const pad = (n) => String(n).padStart(2, "0");
    return (days ? days + "d " : "") + pad(hours) + ":" + pad(minutes) + ":" + pad(seconds);
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
      load: () => getJSON("/api/screen/challenge"),
      render: (challenge) => {
        if (!challenge || !challenge.title) return null;
        const box = el("div", "challenge");
        box.append(el("div", "challenge-name", challenge.title));
        const clock = el("div", "countdown", fmt(t.challenge_ends, { countdown: countdown(challenge.ends_at) }));
        box.append(clock);
        const tick = setInterval(() => {
          if (!clock.isConnected) return clearInterval(tick);
          clock.textContent = fmt(t.challenge_ends, { countdown: countdown(challenge.ends_at) });
        }, 1000);
        if (challenge.board) box.append(renderBoard(challenge.board, (e) => e.label, false));
        return box;
      },
    },
    {
      name: "adoption",
      title: () => t.adoption_title,
      unit: "",
      optional: true,
      load: () => getJSON("/api/screen/adoption"),
      render: (adoption) => {
        if (!adoption || !adoption.licensed) return null;
        const box = el("div", "meter");
        const percent = Math.round(100 * adoption.active_rate);
        box.append(el("div", "big", percent + "%"));
        const track = el("div", "track");
        const bar = el("div");
        bar.style.width = percent + "%";
        track.append(bar);
        box.append(track, el("div", "line", fmt(t.adoption_line, adoption)));
        return box;
      },
    },
    {
      name: "badges",
      title: () => t.badges_title,
      unit: "",
      optional: true,
      load: () => getJSON("/api/screen/celebrations"),
      render: (items) => {
        if (!items || !items.length) return null;
        const list = el("ol", "board celebrations");
        for (const item of items.slice(0, 6)) {
          const row = el("li", "row");
          row.append(el("div", "fill"), el("div", "rank", "\u2605"), el("div", "who", celebrationText(item)));
          list.appendChild(row);
        }
        return list;
      },
    },
  ];

  function celebrationText(item) {
    let who = item.name || t.someone;
    if (item.team) who += " " + fmt(t.team_of, { team: item.team });
    const template = t["celebrate_" + item.kind] || t.celebrate_badge;
    return fmt(template, { who, title: item.title || "" });
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
      document.body.dataset.view = view.name;
      title.textContent = view.title();
      unit.textContent = view.unit;
      stage.replaceChildren(node);
      drawDots();
      return;
    }
    if (!quiet) stage.replaceChildren(el("p", "empty", t.empty));
  }

  function rotate() {
    if (!config.rotate) return;
    clearTimeout(rotateTimer);
    rotateTimer = setTimeout(async () => {
      await show((current + 1) % views.length);
      rotate();
    }, config.rotateSeconds * 1000);
  }

  let refreshTimer = null;
  function refreshSoon() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => show(current, { quiet: true }), 250);
  }

  function celebrate(item) {
    toast.textContent = celebrationText(item);
    toast.hidden = false;
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
    });
    source.addEventListener("error", () => {
      liveBadge.dataset.state = "connecting";
      liveBadge.textContent = t.offline;
    });
    source.addEventListener("boards", refreshSoon);
    source.addEventListener("celebration", (event) => celebrate(JSON.parse(event.data)));
  }

  function tickClock() {
    const now = new Date();
    document.getElementById("clock").textContent = now.toLocaleTimeString(config.lang === "nl" ? "nl-BE" : "en-GB", { hour: "2-digit", minute: "2-digit" });
  }

  tickClock();
  setInterval(tickClock, 10000);
  const start = Math.max(0, views.findIndex((v) => v.name === config.startView));
  show(start).then(rotate);
  connect();
})();
