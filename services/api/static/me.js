// Employee page: my ranks, level, streak, habit, goals, badges, neighbours and opt-in.
"use strict";

(() => {
  const t = JSON.parse(document.getElementById("page-texts").textContent);
  const { api, el, row } = Session;
  // Rule-set titles (levels, badges, goals) come back in the page's language.
  const lang = encodeURIComponent(document.documentElement.lang);

  function figure(label, value, note) {
    const box = el("div");
    box.append(el("div", label, "muted"), el("div", value, "figure"));
    if (note) box.append(el("div", note, "muted"));
    return box;
  }

  async function load() {
    const [profile, neighbours] = await Promise.all([api(`/api/me?lang=${lang}`), api("/api/me/neighbours?radius=3")]);
    if (!profile.ok) {
      document.getElementById("signin").hidden = false;
      return;
    }
    document.getElementById("content").hidden = false;
    const p = profile.body;
    const week = p.standings.find((s) => s.window === "week");
    const figures = document.getElementById("figures");
    figures.append(
      figure(t.rank_week, week && week.rank ? "#" + week.rank : "-", week ? `${week.points} ${t.points}` : ""),
      figure(t.points_total, p.points),
      figure(t.level, p.level ? p.level.title : "-", p.level && p.level.next_points ? `${p.level.next_points - p.points} ${t.points} → ${p.level.next_title}` : ""),
      figure(t.streak, p.streak ? p.streak.current : 0, p.streak ? `${t.best} ${p.streak.best}` : ""),
      figure(t.habit, p.habit ? `${p.habit.active_days}/${p.habit.days}` : "-", p.habit ? `${t.in_days} ${p.habit.window}` : ""),
    );
    const table = document.getElementById("neighbours");
    for (const entry of (neighbours.body && neighbours.body.entries) || []) {
      table.appendChild(row([entry.rank, entry.me ? `${entry.label} (${t.you})` : entry.label, entry.value], entry.me ? "me" : ""));
    }
    const goals = document.getElementById("goals");
    for (const goal of p.next_goals) {
      const item = el("li", `${goal.title}: ${goal.progress} / ${goal.target}`);
      const bar = el("progress");
      bar.max = goal.target;
      bar.value = goal.progress;
      item.append(bar);
      goals.append(item);
    }
    const badges = document.getElementById("badges");
    for (const badge of p.badges) badges.append(el("li", `${badge.title} (${badge.earned_on})`));
    if (!p.badges.length) badges.append(el("li", t.no_badges, "muted"));
    const optIn = document.getElementById("opt-in");
    const withheld = document.getElementById("name-withheld");
    optIn.checked = p.opted_in;
    withheld.hidden = !(p.opted_in && !p.name_shown);
    optIn.addEventListener("change", async () => {
      const result = await api("/api/me/opt-in", { method: "PUT", body: JSON.stringify({ opted_in: optIn.checked }) });
      if (!result.ok) optIn.checked = !optIn.checked;
      const now = await api(`/api/me?lang=${lang}`);
      if (now.ok) withheld.hidden = !(now.body.opted_in && !now.body.name_shown);
    });
  }

  Session.start(load);
})();
