// Champions page: who can help me, checking in, events, activities, applying and nominating;
// for champions their departments, events with check-in codes and tips; for admins the queues.
"use strict";

(() => {
  const t = JSON.parse(document.getElementById("page-texts").textContent);
  const { api, el } = Session;
  const lang = document.documentElement.lang;
  const $ = (id) => document.getElementById(id);
  const APPS = ["teams", "word", "excel", "powerpoint", "outlook", "onenote", "loop", "chat"];
  const when = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });
  const clock = new Intl.DateTimeFormat(lang, { timeStyle: "short" });
  const percent = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 0 });
  let me = null; // my champion record, or null
  let roster = null; // departments and their champions
  let codeTimer = null;

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, (_, key) => (key in values ? String(values[key]) : ""));
  }

  function newId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function problem(result) {
    const detail = result.body && result.body.detail;
    const text = Array.isArray(detail) ? detail.map((d) => d.msg).join("; ") : detail || result.status;
    return fill(t.ch_error, { detail: text });
  }

  function say(node, text, ok) {
    node.textContent = text;
    node.className = ok ? "ok" : "error";
  }

  function post(path, body, method = "POST") {
    return api(path, { method, body: JSON.stringify(body) });
  }

  function span(range) {
    const start = new Date(range.starts_at);
    const end = new Date(range.ends_at);
    return `${when.format(start)} – ${clock.format(end)}`;
  }

  function chips(container, values, labels, checked) {
    container.replaceChildren();
    for (const value of values) {
      const label = el("label", undefined, "chip");
      const box = el("input");
      box.type = "checkbox";
      box.value = value;
      box.checked = box.defaultChecked = checked.includes(value);
      label.append(box, " " + (labels[value] || value));
      container.append(label);
    }
  }

  function checkedValues(container) {
    return Array.from(container.querySelectorAll("input:checked"), (box) => box.value);
  }

  function options(select, entries, chosen) {
    select.replaceChildren();
    for (const [value, label] of entries) {
      const option = el("option", label);
      option.value = value;
      if (value === chosen) option.selected = true;
      select.append(option);
    }
  }

  // Checking in ------------------------------------------------------------------------

  function loadCheckin(events) {
    const params = new URLSearchParams(location.search);
    const wanted = params.get("event");
    const open = events.filter((e) => e.open && !e.mine && (!e.checked_in || e.id === wanted));
    const entries = open.map((e) => [e.id, `${e.title} (${span(e)})`]);
    if (wanted && !open.some((e) => e.id === wanted)) entries.unshift([wanted, t.ch_event]);
    options($("checkin-event"), entries, wanted);
    if (params.get("code")) $("checkin-code").value = params.get("code");
    const attended = events.filter((e) => e.open && e.checked_in && e.id !== wanted);
    $("checkin-none").textContent = attended.length
      ? fill(t.ch_already_in, { title: attended.map((e) => e.title).join(", ") })
      : t.ch_no_open_events;
    $("checkin-none").hidden = entries.length > 0;
    $("checkin-form").hidden = entries.length === 0;
    if (location.pathname === "/champions/checkin") $("checkin").classList.add("spotlight");
  }

  $("checkin-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const id = $("checkin-event").value;
    const result = await post(`/api/champion-events/${encodeURIComponent(id)}/checkin`, {
      code: $("checkin-code").value.trim(),
    });
    if (result.ok) {
      say($("checkin-result"), fill(t.ch_checked_in, result.body), true);
      await loadAttended();
    } else say($("checkin-result"), problem(result), false);
  });

  // Who can help me --------------------------------------------------------------------

  async function loadHelp(department) {
    const result = await api(`/api/champions?department=${encodeURIComponent(department)}`);
    const list = $("help-list");
    list.replaceChildren();
    const found = result.ok ? result.body.departments[0] : null;
    for (const champion of (found && found.champions) || []) {
      const card = el("li", undefined, "card");
      card.append(el("strong", champion.name));
      if (champion.apps.length) card.append(el("span", `${t.ch_apps_help}: ${champion.apps.join(", ")}`, "muted"));
      list.append(card);
    }
    const unnamed = found ? found.unnamed : 0;
    $("help-unnamed").textContent = unnamed
      ? fill(t.ch_unnamed, { n: unnamed })
      : found && found.champions.length
        ? ""
        : t.ch_no_champions;
  }

  $("help-department").addEventListener("change", () => loadHelp($("help-department").value));

  // Events and my points ---------------------------------------------------------------

  async function loadEvents() {
    const result = await api("/api/champion-events");
    const events = result.ok ? result.body : [];
    const list = $("events-list");
    list.replaceChildren();
    for (const e of events) {
      const item = el("li");
      const head = el("div");
      head.append(el("strong", e.title), " ", el("span", t["ch_format_" + e.format] || e.format, "tag"));
      if (e.open) head.append(" ", el("span", t.ch_open_now, "tag live"));
      item.append(head);
      const where = [span(e), e.location, e.host_name ? `${t.ch_host} ${e.host_name}` : ""];
      item.append(el("div", where.filter(Boolean).join(" · "), "muted"));
      item.append(el("div", e.departments.length ? fill(t.ch_for, { departments: e.departments.join(", ") }) : t.ch_for_everyone, "muted"));
      list.append(item);
    }
    if (!events.length) list.append(el("li", t.ch_no_events, "muted"));
    loadCheckin(events);
  }

  async function loadAttended() {
    const result = await api("/api/champion-events/attended");
    const list = $("attended");
    list.replaceChildren();
    for (const a of result.ok ? result.body : []) {
      const item = el("li");
      item.append(el("span", fill(t.ch_attended_line, a), a.revoked ? "struck" : ""));
      if (a.revoked) item.append(" ", el("span", t.ch_revoked, "tag"));
      item.append(el("div", when.format(new Date(a.checked_in_at)), "muted"));
      list.append(item);
    }
    if (!list.children.length) list.append(el("li", t.ch_no_points, "muted"));
  }

  // Activities -------------------------------------------------------------------------

  async function loadActivities() {
    const result = await api("/api/activities");
    const list = $("activity-list");
    list.replaceChildren();
    for (const a of result.ok ? result.body : []) {
      const item = el("li");
      const head = el("div");
      head.append(el("strong", a.title), " ", el("span", t["ch_state_" + a.status], "tag " + a.status));
      if (a.points !== null) head.append(" ", el("span", `+${a.points} ${t.ch_points}`, a.revoked ? "struck" : ""));
      if (a.revoked) head.append(" ", el("span", t.ch_revoked, "tag"));
      item.append(head, el("div", `${t["ch_kind_" + a.kind]} · ${a.date}`, "muted"));
      const why = a.revoked ? a.revoke_reason : a.reason;
      if (why) item.append(el("div", why));
      list.append(item);
    }
  }

  $("activity-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {
      id: newId(),
      kind: $("activity-kind").value,
      title: $("activity-title").value.trim(),
      date: $("activity-date").value,
      description: $("activity-description").value.trim(),
    };
    if ($("activity-link").value.trim()) body.link = $("activity-link").value.trim();
    const result = await post("/api/activities", body);
    if (result.ok) {
      say($("activity-result"), t.ch_state_pending, true);
      $("activity-form").reset();
      $("activity-date").valueAsDate = new Date();
      await loadActivities();
    } else say($("activity-result"), problem(result), false);
  });

  // My status, applying, nominating ----------------------------------------------------

  function renderStatus() {
    const status = me ? me.status : null;
    const texts = {
      pending: t.ch_status_pending,
      approved: fill(t.ch_status_approved, { departments: me && me.departments.join(", ") }),
      rejected: fill(t.ch_status_rejected, { reason: (me && me.reason) || "" }),
      retired: t.ch_status_retired,
    };
    $("status-text").textContent = status ? texts[status] : t.ch_status_none;
    $("status-title").textContent = status === "approved" ? t.ch_status_title_mine : t.ch_status_title;
    $("apply-form").hidden = status === "pending" || status === "approved";
    $("withdraw").hidden = !(status === "pending" || status === "approved");
    const mine = roster && roster.my_department ? [roster.my_department] : [];
    chips($("apply-departments"), (roster && roster.all_departments) || [], {}, mine);
    chips($("apply-apps"), APPS, {}, []);
  }

  $("apply-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await post("/api/champions/apply", {
      id: newId(),
      departments: checkedValues($("apply-departments")),
      apps: checkedValues($("apply-apps")),
      motivation: $("apply-motivation").value.trim(),
    });
    if (result.ok) {
      me = result.body;
      renderStatus();
    } else say($("apply-result"), problem(result), false);
  });

  $("withdraw").addEventListener("click", async () => {
    const result = await post("/api/champions/me/withdraw", {});
    if (result.ok) location.reload();
  });

  let chosen = null;
  let searching = 0;
  $("nominate-search").addEventListener("input", async () => {
    const query = $("nominate-search").value.trim();
    const ticket = ++searching;
    const matches = $("nominate-matches");
    if (query.length < 2) {
      matches.replaceChildren();
      return;
    }
    const result = await api(`/api/people/search?q=${encodeURIComponent(query)}`);
    if (ticket !== searching) return;
    matches.replaceChildren();
    for (const hit of result.ok ? result.body : []) {
      const item = el("li");
      const pick = el("button", hit.department ? `${hit.name} · ${hit.department}` : hit.name, "secondary");
      pick.type = "button";
      pick.addEventListener("click", () => {
        chosen = hit;
        $("nominate-chosen").textContent = pick.textContent;
        $("nominate-chosen").hidden = false;
        $("nominate-button").disabled = false;
        matches.replaceChildren();
      });
      item.append(pick);
      matches.append(item);
    }
  });

  $("nominate-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!chosen) return;
    const result = await post("/api/champions/nominations", {
      id: newId(),
      person: chosen.id,
      motivation: $("nominate-motivation").value.trim(),
    });
    if (result.ok) {
      say($("nominate-result"), fill(t.ch_nominated, { name: chosen.name }), true);
      chosen = null;
      $("nominate-form").reset();
      $("nominate-chosen").hidden = true;
      $("nominate-button").disabled = true;
    } else say($("nominate-result"), problem(result), false);
  });

  // A champion's departments, events and tips ------------------------------------------

  function bar(share, label) {
    const row = el("div", undefined, "bar-row");
    const track = el("div", undefined, "bar");
    const fillBar = el("span");
    fillBar.style.width = `${Math.round(Math.max(0, Math.min(1, share)) * 100)}%`;
    track.append(fillBar);
    row.append(el("span", label, "bar-label"), track, el("span", percent.format(share), "bar-value"));
    return row;
  }

  async function loadDashboard() {
    const result = await api("/api/champions/dashboard");
    const box = $("dashboard");
    box.replaceChildren();
    const departments = result.ok ? result.body.departments : [];
    const hidden = departments.filter((d) => !d.shown);
    for (const d of departments.filter((d) => d.shown)) {
      const card = el("div", undefined, "department");
      card.append(el("h4", d.department));
      const table = el("table");
      const head = el("tr");
      for (const label of [t.ch_licensed, t.ch_active, t.ch_rate, t.ch_not_yet_active, t.ch_trend]) head.append(el("th", label));
      const values = el("tr");
      for (const value of [d.licensed, d.active, percent.format(d.active_rate), d.not_yet_active, d.trend ? t["ch_trend_" + d.trend] : "–"]) values.append(el("td", value));
      table.append(head, values);
      card.append(table, el("h5", t.ch_weeks));
      for (const week of d.weekly) card.append(bar(week.active_rate, week.week));
      const apps = el("p");
      apps.append(el("strong", `${t.ch_apps_used}: `), d.apps_used.map((a) => a.app).join(", ") || "–");
      const unused = el("p", undefined, "muted");
      unused.append(el("strong", `${t.ch_apps_unused}: `), d.apps_unused.join(", ") || "–");
      card.append(apps, unused);
      box.append(card);
    }
    for (const reason of ["small_group", "unknown_department"]) {
      const these = hidden.filter((d) => d.hidden_reason === reason).map((d) => d.department);
      if (!these.length) continue;
      const why = reason === "small_group" ? fill(t.ch_hidden_small_group, { min: result.body.min_group_size }) : t.ch_hidden_unknown_department;
      const note = el("p", undefined, "muted");
      note.append(el("strong", `${these.join(", ")}: `), why);
      box.append(note);
    }
  }

  async function loadScreens() {
    const result = await api("/api/champion-events/screens");
    const screens = result.ok ? result.body : [];
    const labels = Object.fromEntries(screens.map((s) => [String(s.id), s.label]));
    chips($("event-screens"), screens.map((s) => String(s.id)), labels, []);
    $("event-screens-box").hidden = screens.length === 0;
  }

  function championDepartments() {
    if (me && me.status === "approved" && me.departments.length) return me.departments;
    return (roster && roster.all_departments) || [];
  }

  $("event-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const starts = new Date($("event-starts").value);
    const minutes = Number($("event-minutes").value);
    const result = await post("/api/champion-events", {
      id: newId(),
      title: $("event-title").value.trim(),
      format: $("event-format").value,
      starts_at: starts.toISOString(),
      ends_at: new Date(starts.getTime() + minutes * 60000).toISOString(),
      location: $("event-location").value.trim(),
      departments: checkedValues($("event-departments")),
      screens: checkedValues($("event-screens")).map(Number),
      description: $("event-description").value.trim(),
    });
    if (result.ok) {
      say($("event-result"), t.ch_event_planned, true);
      $("event-form").reset();
      await Promise.all([loadMyEvents(), loadEvents()]);
    } else say($("event-result"), problem(result), false);
  });

  async function showCode(e) {
    clearTimeout(codeTimer);
    const result = await api(`/api/champion-events/${e.id}/code`);
    const panel = $("code-panel");
    if (!result.ok) {
      panel.hidden = true;
      return;
    }
    const code = result.body;
    $("code-title").textContent = e.title;
    $("code-value").textContent = code.code;
    $("code-qr").src = code.qr_data_uri;
    $("code-qr").alt = code.url;
    const rotates = new Date(code.rotates_at);
    $("code-rotates").textContent = fill(t.ch_code_rotates, { time: clock.format(rotates) });
    if (panel.hidden) {
      panel.hidden = false;
      panel.scrollIntoView({ block: "center" });
    }
    codeTimer = setTimeout(() => showCode(e), Math.max(1000, rotates - Date.now() + 500));
  }

  async function loadMyEvents() {
    const result = await api("/api/champion-events?when=mine");
    const list = $("my-events");
    list.replaceChildren();
    for (const e of result.ok ? result.body : []) {
      const item = el("li");
      const head = el("div");
      head.append(el("strong", e.title), " ", el("span", `${e.attendees} ${t.ch_attendees}`, "tag"));
      if (e.cancelled) head.append(" ", el("span", t.ch_cancelled, "tag"));
      item.append(head, el("div", [span(e), e.location].filter(Boolean).join(" · "), "muted"));
      const actions = el("div", undefined, "actions");
      if (e.open && !e.cancelled) {
        const show = el("button", t.ch_show_code);
        show.type = "button";
        show.addEventListener("click", () => showCode(e));
        actions.append(show);
      }
      if (!e.cancelled && e.attendees === 0 && new Date(e.ends_at) > new Date()) {
        const cancel = el("button", t.ch_cancel_event, "secondary");
        cancel.type = "button";
        cancel.addEventListener("click", async () => {
          const done = await api(`/api/champion-events/${e.id}`, { method: "DELETE" });
          if (done.ok) await Promise.all([loadMyEvents(), loadEvents()]);
        });
        actions.append(cancel);
      }
      item.append(actions);
      list.append(item);
    }
  }

  async function loadUseCases() {
    const department = $("tip-department").value;
    if (!department) return;
    const result = await api(`/api/champions/tips/use-cases?department=${encodeURIComponent(department)}&lang=${lang}`);
    options($("tip-use-case"), (result.ok ? result.body : []).map((u) => [u.id, `${u.title} (${u.app})`]));
  }

  $("tip-department").addEventListener("change", loadUseCases);
  $("tip-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await post("/api/champions/tips", {
      id: newId(),
      department: $("tip-department").value,
      use_case: $("tip-use-case").value,
    });
    if (result.ok) say($("tip-result"), fill(t.ch_tip_sent, { left: result.body.left_today }), true);
    else say($("tip-result"), problem(result), false);
  });

  async function loadChampion() {
    $("champion").hidden = false;
    const departments = championDepartments();
    chips($("event-departments"), departments, {}, me && me.status === "approved" ? departments : []);
    options($("tip-department"), departments.map((d) => [d, d]));
    await Promise.all([loadDashboard(), loadScreens(), loadMyEvents(), loadUseCases()]);
  }

  // Admins' queues ---------------------------------------------------------------------

  function decisionControls(onDecide, withPoints) {
    const box = el("div", undefined, "actions");
    const points = el("input");
    points.type = "number";
    points.min = "0";
    points.max = "10000";
    points.placeholder = t.ch_points_label;
    points.className = "points";
    points.setAttribute("aria-label", t.ch_points_label);
    const reason = el("input");
    reason.type = "text";
    reason.maxLength = 500;
    reason.placeholder = t.ch_reason;
    reason.setAttribute("aria-label", t.ch_reason);
    const approve = el("button", t.ch_approve);
    const reject = el("button", t.ch_reject, "secondary");
    const note = el("span", undefined, "error");
    approve.type = reject.type = "button";
    approve.addEventListener("click", () => onDecide(true, points.value === "" ? null : Number(points.value), reason.value.trim(), note));
    reject.addEventListener("click", () => {
      if (!reason.value.trim()) {
        note.textContent = t.ch_reason_required;
        return;
      }
      onDecide(false, null, reason.value.trim(), note);
    });
    if (withPoints) box.append(points);
    box.append(approve, reason, reject, note);
    return box;
  }

  async function loadReport() {
    const result = await api("/api/admin/champions/report");
    const box = $("report");
    box.replaceChildren();
    if (!result.ok) return;
    const r = result.body;
    const points = Object.values(r.points).reduce((a, b) => a + b, 0);
    for (const [label, value] of [
      [t.ch_report_champions, r.champions.approved],
      [t.ch_report_events, r.events_held],
      [t.ch_report_attendees, r.attendees],
      [t.ch_report_points, points],
    ]) {
      const figure = el("div");
      figure.append(el("div", value, "figure"), el("div", label, "muted"));
      box.append(figure);
    }
  }

  async function loadQueues() {
    const [champions, activities] = await Promise.all([
      api("/api/admin/champions?status=pending"),
      api("/api/admin/activities?status=pending"),
    ]);
    const list = $("queue-champions");
    list.replaceChildren();
    for (const c of champions.ok ? champions.body : []) {
      const item = el("li");
      const head = el("div");
      head.append(el("strong", c.name || c.person), " ", el("span", c.home_department || "", "muted"));
      if (c.nominated) head.append(" ", el("span", t.ch_nominated_flag, "tag"));
      item.append(head, el("div", `${c.departments.join(", ")}${c.apps.length ? " · " + c.apps.join(", ") : ""}`, "muted"));
      if (c.motivation) item.append(el("div", c.motivation));
      item.append(
        decisionControls(async (approve, _points, reason, note) => {
          const result = await post(`/api/admin/champions/${c.person}/decision`, approve ? { status: "approved" } : { status: "rejected", reason });
          if (result.ok) await loadQueues();
          else note.textContent = problem(result);
        }, false),
      );
      list.append(item);
    }
    if (!list.children.length) list.append(el("li", t.ch_none_waiting, "muted"));

    const queue = $("queue-activities");
    queue.replaceChildren();
    for (const a of activities.ok ? activities.body : []) {
      const item = el("li");
      const head = el("div");
      head.append(el("strong", a.title), " ", el("span", t["ch_kind_" + a.kind], "tag"));
      item.append(head, el("div", [a.name || a.person, a.department, a.date].filter(Boolean).join(" · "), "muted"));
      if (a.link) {
        const link = el("a", a.link);
        link.href = a.link;
        link.rel = "noopener noreferrer";
        link.target = "_blank";
        const line = el("div");
        line.append(link);
        item.append(line);
      }
      if (a.description) item.append(el("div", a.description));
      item.append(
        decisionControls(async (approve, points, reason, note) => {
          const body = approve ? { approve: true } : { approve: false, reason };
          if (approve && points !== null) body.points = points;
          const result = await post(`/api/admin/activities/${a.id}/decision`, body);
          if (result.ok) await loadQueues();
          else note.textContent = problem(result);
        }, true),
      );
      queue.append(item);
    }
    if (!queue.children.length) queue.append(el("li", t.ch_none_waiting, "muted"));
  }

  // Start --------------------------------------------------------------------------------

  async function load(who) {
    document.getElementById("content").hidden = false;
    $("activity-date").valueAsDate = new Date();
    const isAdmin = Array.isArray(who && who.roles) && who.roles.includes("Admin");
    const [status, found] = await Promise.all([api("/api/champions/me"), api("/api/champions")]);
    me = status.ok ? status.body : null;
    roster = found.ok ? found.body : { departments: [], all_departments: [] };
    const departments = roster.all_departments;
    const start = roster.my_department || (roster.departments[0] && roster.departments[0].department) || departments[0];
    options($("help-department"), departments.map((d) => [d, d]), start);
    renderStatus();
    const work = [loadEvents(), loadAttended(), loadActivities()];
    if (start) work.push(loadHelp(start));
    if ((me && me.status === "approved") || isAdmin) work.push(loadChampion());
    if (isAdmin) {
      $("admin").hidden = false;
      work.push(loadQueues(), loadReport());
    }
    await Promise.all(work);
    document.body.dataset.ready = "true";
  }

  Session.start(load);
})();
