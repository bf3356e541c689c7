// Campaigns page: record a campaign (admins; champions for their departments), list the
// campaigns, and for each its effect: both groups' weekly active rate around the campaign
// week, the difference-in-differences estimate with its 95% interval, and the verdict.
"use strict";

(() => {
  const t = JSON.parse(document.getElementById("page-texts").textContent);
  const { api, el } = Session;
  const lang = document.documentElement.lang;
  const $ = (id) => document.getElementById(id);
  const BASE = "/api/insights/campaigns";
  const day = new Intl.DateTimeFormat(lang, { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
  const short = new Intl.DateTimeFormat(lang, { day: "numeric", month: "short", timeZone: "UTC" });
  const signed = new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1, signDisplay: "exceptZero" });
  const plain = new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const whole = new Intl.NumberFormat(lang);
  const charts = [];

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
    return fill(t.cp_error, { detail: text });
  }

  function say(node, text, ok) {
    node.textContent = text;
    node.className = ok ? "ok" : "error";
  }

  function isoDay(text) {
    return new Date(text + "T00:00:00Z");
  }

  // Recording --------------------------------------------------------------------------

  function departmentChips(departments) {
    const box = $("campaign-departments");
    box.replaceChildren();
    for (const name of departments) {
      const label = el("label", undefined, "chip");
      const input = el("input");
      input.type = "checkbox";
      input.value = name;
      label.append(input, " " + name);
      box.append(label);
    }
  }

  async function record(event) {
    event.preventDefault();
    const result = $("record-result");
    const departments = Array.from($("campaign-departments").querySelectorAll("input:checked"), (box) => box.value);
    if (!departments.length) {
      say(result, t.cp_pick_department, false);
      return;
    }
    const body = {
      id: newId(),
      kind: $("campaign-kind").value,
      title: $("campaign-title").value.trim(),
      starts_on: $("campaign-starts").value,
      departments,
      note: $("campaign-note").value.trim(),
    };
    if ($("campaign-ends").value) body.ends_on = $("campaign-ends").value;
    const answer = await api(BASE, { method: "POST", body: JSON.stringify(body) });
    if (!answer.ok) {
      say(result, problem(answer), false);
      return;
    }
    say(result, t.cp_saved, true);
    $("record-form").reset();
    await loadList();
  }

  // The effect -------------------------------------------------------------------------

  function campaignWeekBand(transition) {
    const at = isoDay(transition).getTime() / 1000;
    const half = 3.5 * 86400;
    return {
      hooks: {
        drawClear: [
          (u) => {
            const left = u.valToPos(at - half, "x", true);
            const right = u.valToPos(at + half, "x", true);
            const { top, height } = u.bbox;
            u.ctx.save();
            u.ctx.fillStyle = "rgba(255, 193, 7, 0.28)";
            u.ctx.fillRect(left, top, right - left, height);
            u.ctx.restore();
          },
        ],
      },
    };
  }

  function chart(holder, effect) {
    const xs = effect.series.map((p) => isoDay(p.week).getTime() / 1000);
    const data = [xs, effect.series.map((p) => p.target), effect.series.map((p) => p.control)];
    const width = Math.max(320, holder.clientWidth || 640);
    const plot = new uPlot(
      {
        width,
        height: 260,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
        scales: { x: { time: true } },
        legend: { show: false },
        axes: [
          { splits: () => xs, values: (u, ticks) => ticks.map((ts) => short.format(new Date(ts * 1000))) },
          { label: t.cp_rate_axis, values: (u, ticks) => ticks.map((v) => whole.format(v) + " %"), size: 60 },
        ],
        series: [
          { value: (u, ts) => (ts == null ? "" : short.format(new Date(ts * 1000))) },
          { label: effect.target ? effect.target.departments.join(", ") : t.cp_target_line, stroke: "#2f6df6", width: 2.5, points: { show: true, size: 6 }, value: (u, v) => (v == null ? "" : plain.format(v) + " %") },
          { label: t.cp_control_line, stroke: "#8a93a8", width: 2, dash: [6, 4], points: { show: true, size: 5 }, value: (u, v) => (v == null ? "" : plain.format(v) + " %") },
        ],
        plugins: [campaignWeekBand(effect.transition_week)],
      },
      data,
      holder,
    );
    charts.push({ plot, holder });
  }

  function figures(box, effect) {
    const direction = !effect.likely_real ? "unclear" : effect.estimate > 0 ? "up" : "down";
    box.append(
      el("div", fill(t.cp_estimate, { points: signed.format(effect.estimate) }), "estimate " + direction),
      el("div", fill(t.cp_interval, { low: signed.format(effect.low), high: signed.format(effect.high) }), "interval"),
      el("p", effect.verdict, "verdict"),
      el("p", fill(t.cp_weeks_used, { pre: effect.pre_weeks.length, post: effect.post_weeks.length }), "assumption"),
      el("p", fill(t.cp_sizes, { target: whole.format(effect.target.licensed), control: whole.format(effect.control.licensed) }), "assumption"),
      el("p", effect.assumption, "assumption"),
    );
  }

  async function showEffect(card, campaign) {
    const box = el("div", undefined, "effect");
    const loading = el("p", t.cp_loading, "muted");
    card.append(loading);
    const answer = await api(`${BASE}/${campaign.id}/effect?lang=${lang}`);
    loading.remove();
    if (!answer.ok) {
      card.append(el("p", problem(answer), "error"));
      return;
    }
    const effect = answer.body;
    card.append(box);
    const plotBox = el("div", undefined, "chart-box");
    const side = el("div", undefined, "effect-figures");
    box.append(plotBox, side);
    if (effect.available) figures(side, effect);
    else side.append(el("p", effect.message, "refusal"));
    if (effect.series.length) {
      const holder = el("div", undefined, "chart");
      const legend = el("ul", undefined, "legend");
      const names = effect.target ? effect.target.departments.join(", ") : t.cp_target_line;
      legend.append(el("li", names, "target"), el("li", t.cp_control_line, "control"));
      const charted = effect.series.some((p) => p.week === effect.transition_week);
      if (charted) legend.append(el("li", t.cp_campaign_week + " (" + short.format(isoDay(effect.transition_week)) + ")", "week"));
      plotBox.append(holder, legend);
      chart(holder, effect);
    } else {
      box.classList.add("no-chart");
    }
  }

  function card(campaign) {
    const item = el("li", undefined, "campaign");
    item.dataset.id = campaign.id;
    const head = el("div", undefined, "campaign-head");
    head.append(el("h3", campaign.title), el("span", t["cp_kind_" + campaign.kind] || campaign.kind, "tag"));
    if (campaign.may_withdraw) {
      const withdraw = el("button", t.cp_withdraw, "secondary withdraw");
      withdraw.type = "button";
      withdraw.addEventListener("click", async () => {
        if (!confirm(t.cp_withdraw_confirm)) return;
        const answer = await api(`${BASE}/${campaign.id}`, { method: "DELETE" });
        if (answer.ok) await loadList();
        else head.append(el("span", problem(answer), "error"));
      });
      head.append(withdraw);
    }
    let when = day.format(isoDay(campaign.starts_on));
    if (campaign.ends_on) when += ` ${t.cp_until} ${day.format(isoDay(campaign.ends_on))}`;
    const by = campaign.created_as === "admin" ? t.cp_by_admin : t.cp_by_champion;
    item.append(head, el("p", `${when} · ${campaign.departments.join(", ")} · ${by}`, "campaign-meta"));
    if (campaign.note) item.append(el("p", campaign.note, "campaign-note"));
    return item;
  }

  async function loadList() {
    const answer = await api(BASE);
    const list = $("campaign-list");
    for (const { plot } of charts.splice(0)) plot.destroy();
    list.replaceChildren();
    if (!answer.ok) {
      list.append(el("li", problem(answer), "error"));
      return;
    }
    $("campaigns-none").hidden = answer.body.length > 0;
    const cards = answer.body.map((campaign) => [campaign, card(campaign)]);
    for (const [, item] of cards) list.append(item);
    await Promise.all(cards.map(([campaign, item]) => showEffect(item, campaign)));
  }

  function resize() {
    for (const { plot, holder } of charts) {
      const width = Math.max(320, holder.clientWidth);
      if (Math.abs(width - plot.width) > 4) plot.setSize({ width, height: 260 });
    }
  }

  async function init() {
    const options = await api(`${BASE}/options`);
    if (options.status === 403) {
      $("content").hidden = false;
      $("forbidden").hidden = false;
      return;
    }
    $("content").hidden = false;
    $("workspace").hidden = false;
    if (options.ok && options.body.may_record && options.body.departments.length) {
      departmentChips(options.body.departments);
      $("record-form").hidden = false;
      $("record-form").addEventListener("submit", record);
    } else {
      const closed = $("record-closed");
      closed.textContent = options.ok && options.body.may_record ? t.cp_no_departments : t.cp_may_not_record;
      closed.hidden = false;
    }
    window.addEventListener("resize", resize);
    await loadList();
  }

  Session.start(init);
})();
