// The cockpit's drawing kit: uPlot line and bar charts with a legend, a colour scale for
// the heatmap, and stacked bars as plain HTML. No data lives here: insights.js passes it.
"use strict";

const CockpitCharts = (() => {
  // Distinct, readable colours (colour-blind friendly order); "any app" is drawn in ink.
  const PALETTE = ["#2f6df6", "#e8710a", "#1e8e3e", "#c2185b", "#7b3fe4", "#0b9aa5", "#8d6e00", "#d93025", "#5f6b7a"];
  const INK = "#15192b";
  const charts = [];

  function colour(index) {
    return PALETTE[index % PALETTE.length];
  }

  function seconds(isoDay) {
    return Date.parse(isoDay + "T00:00:00Z") / 1000;
  }

  function widthOf(holder) {
    return Math.max(320, Math.floor(holder.getBoundingClientRect().width));
  }

  // A line (or bar) chart over weeks. series: [{label, values, colour, width, dash, bars, scale}].
  // axes: {y: {format, max}, y2: {format}} ; week: (seconds) -> text.
  function weekly(holder, weeks, series, options) {
    holder.replaceChildren();
    const xs = weeks.map(seconds);
    // Bars are as wide as half a week: keep half a week free at both ends for them.
    const pad = series.some((line) => line.bars) ? 3.5 * 86400 : 0;
    const scales = { x: { time: true, range: (u, min, max) => [min - pad, max + pad] }, y: { range: (u, min, max) => [0, options.yMax != null ? options.yMax : Math.max(max, 1e-9) * 1.1] } };
    const axes = [
      { splits: () => xs, values: (u, ticks) => ticks.map((ts) => options.week(ts)), gap: 6 },
      { values: (u, ticks) => ticks.map(options.y), size: 64 },
    ];
    if (options.y2) {
      scales.y2 = { range: (u, min, max) => [0, Math.max(max, 1e-9) * 1.1] };
      axes.push({ scale: "y2", side: 1, grid: { show: false }, values: (u, ticks) => ticks.map(options.y2), size: 64 });
    }
    const bars = uPlot.paths && uPlot.paths.bars ? uPlot.paths.bars({ size: [0.55, 60] }) : undefined;
    const plot = new uPlot(
      {
        width: widthOf(holder),
        height: options.height || 300,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
        scales,
        axes,
        cursor: { points: { size: 7 } },
        legend: { live: true },
        series: [
          { label: options.weekLabel, value: (u, ts) => (ts == null ? "" : options.week(ts)) },
          ...series.map((line) => ({
            label: line.label,
            scale: line.scale || "y",
            stroke: line.colour,
            fill: line.bars ? line.colour + "cc" : undefined,
            width: line.width || 2,
            dash: line.dash,
            paths: line.bars ? bars : undefined,
            points: { show: !line.bars, size: 5 },
            spanGaps: false,
            value: (u, v) => (v == null ? "–" : (line.scale === "y2" ? options.y2 : options.y)(v)),
          })),
        ],
      },
      [xs, ...series.map((line) => line.values)],
      holder,
    );
    charts.push({ plot, holder });
    return plot;
  }

  function resizeAll() {
    for (const { plot, holder } of charts) {
      if (holder.isConnected) plot.setSize({ width: widthOf(holder), height: plot.height });
    }
  }

  let pending = null;
  window.addEventListener("resize", () => {
    clearTimeout(pending);
    pending = setTimeout(resizeAll, 150);
  });

  function clear() {
    for (const { plot } of charts.splice(0)) plot.destroy();
  }

  // The heatmap's colour for a rate 0..1: from pale to the accent blue.
  function heat(rate) {
    const low = [241, 244, 251];
    const high = [31, 86, 207];
    const mix = low.map((c, i) => Math.round(c + (high[i] - c) * Math.min(1, Math.max(0, rate))));
    return { background: `rgb(${mix.join(",")})`, ink: rate > 0.5 ? "#fff" : INK };
  }

  return { colour, INK, weekly, clear, heat, seconds };
})();

window.CockpitCharts = CockpitCharts;
