// What a person in the office would see wrong on the screen, as a list of sentences:
// boxes or text beyond the screen, the stage's content under the header or footer,
// neighbours drawn on top of each other, text cut off without an ellipsis or wrapped
// to more than two lines (or the lines a long text's data-lines allows), text too
// small to read across the room, a list that leaves out entries although there is
// room for them, a celebration covering the stage.
(minTextShare) => {
  const W = window.innerWidth;
  const H = window.innerHeight;
  const EPS = 0.5;
  const problems = [];
  const stage = document.getElementById("stage");
  const header = document.querySelector("header").getBoundingClientRect();
  const footer = document.querySelector("footer").getBoundingClientRect();
  const minFont = minTextShare * Math.min(H, (W * 9) / 16);

  const round = (n) => Math.round(n * 10) / 10;
  const describe = (node) => {
    const classes = node.classList.length ? "." + [...node.classList].join(".") : "";
    const text = (node.textContent || "").trim().replace(/\s+/g, " ").slice(0, 40);
    return `<${node.tagName.toLowerCase()}${node.id ? "#" + node.id : ""}${classes}>` + (text ? ` "${text}"` : "");
  };
  const shown = (node) => {
    if (node.closest("[hidden], script, template")) return false;
    for (let n = node; n; n = n.parentElement) {
      const style = getComputedStyle(n);
      if (style.display === "none" || style.visibility === "hidden") return false;
    }
    return true;
  };
  const outOfFlow = (node) => ["absolute", "fixed"].includes(getComputedStyle(node).position);
  const intersects = (a, b) =>
    Math.min(a.right, b.right) - Math.max(a.left, b.left) > EPS &&
    Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > EPS;
  const outside = (r, top, bottom) =>
    r.left < -EPS || r.right > W + EPS || r.top < top - EPS || r.bottom > bottom + EPS;
  const where = (r) => `(${round(r.left)},${round(r.top)})-(${round(r.right)},${round(r.bottom)})`;

  // Clipping by the page itself (html, body, the stage) hides nothing a viewer would
  // miss less: only components clipping their own text (an ellipsis, a line clamp) count.
  const clipped = (rect, node) => {
    const r = { left: rect.left, top: rect.top, right: rect.right, bottom: rect.bottom };
    for (let a = node; a && a !== stage && a !== document.body; a = a.parentElement) {
      const style = getComputedStyle(a);
      const box = a.getBoundingClientRect();
      if (style.overflowX !== "visible") [r.left, r.right] = [Math.max(r.left, box.left), Math.min(r.right, box.right)];
      if (style.overflowY !== "visible") [r.top, r.bottom] = [Math.max(r.top, box.top), Math.min(r.bottom, box.bottom)];
    }
    return r.right - r.left > EPS && r.bottom - r.top > EPS ? r : null;
  };

  const elements = [...document.body.querySelectorAll("*")].filter(shown);
  for (const node of elements) {
    const box = node.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    const r = clipped(box, node.parentElement);
    if (!r) continue;
    const inStage = stage.contains(node) && node !== stage;
    const [top, bottom] = inStage ? [header.bottom, footer.top] : [0, H];
    if (outside(r, top, bottom)) {
      problems.push(`${describe(node)} at ${where(r)} is outside ${inStage ? "the stage" : "the screen"}`);
    }
    // Inline parts of one text flow line by line; their boxes may span lines.
    const children = [...node.children].filter(
      (c) => shown(c) && !outOfFlow(c) && getComputedStyle(c).display !== "inline"
    );
    for (let i = 0; i < children.length; i++) {
      for (let j = i + 1; j < children.length; j++) {
        const a = children[i].getBoundingClientRect();
        const b = children[j].getBoundingClientRect();
        if (intersects(a, b)) problems.push(`${describe(children[i])} overlaps ${describe(children[j])}`);
      }
    }
  }

  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let text = walker.nextNode(); text; text = walker.nextNode()) {
    const parent = text.parentElement;
    if (!text.textContent.trim() || !shown(parent)) continue;
    const range = document.createRange();
    range.selectNodeContents(text);
    const visible = clipped(range.getBoundingClientRect(), parent);
    if (!visible) continue;
    const inStage = stage.contains(parent);
    if (outside(visible, inStage ? header.bottom : 0, inStage ? footer.top : H)) {
      problems.push(`text of ${describe(parent)} at ${where(visible)} is outside ${inStage ? "the stage" : "the screen"}`);
    }
    const lines = new Set(
      [...range.getClientRects()]
        .filter((line) => clipped(line, parent))
        .map((line) => Math.round(line.top))
    );
    // Names and labels take two lines at most; a text made to be read at length (a story)
    // says how many it may take.
    const allowed = Number((parent.closest("[data-lines]") || { dataset: { lines: 2 } }).dataset.lines);
    if (inStage && lines.size > allowed) problems.push(`${describe(parent)} wraps to ${lines.size} lines`);
    const size = parseFloat(getComputedStyle(parent).fontSize);
    if (size < minFont) problems.push(`${describe(parent)} is ${round(size)}px, below ${round(minFont)}px`);
    const style = getComputedStyle(parent);
    if (parent.scrollWidth > parent.clientWidth + 1 && style.overflowX !== "visible" && style.textOverflow !== "ellipsis") {
      problems.push(`${describe(parent)} is cut off at the side without an ellipsis`);
    }
    if (parent.scrollHeight > parent.clientHeight + 1 && style.overflowY !== "visible" && style.webkitLineClamp === "none") {
      problems.push(`${describe(parent)} is cut off at the bottom without an ellipsis`);
    }
  }

  // A list that shows fewer entries than it has must have had no room for one more.
  const room = stage.getBoundingClientRect();
  const padding = parseFloat(getComputedStyle(stage).paddingTop) + parseFloat(getComputedStyle(stage).paddingBottom);
  for (const list of stage.querySelectorAll("ol[data-total]")) {
    const rows = [...list.children];
    const total = Number(list.dataset.total);
    if (rows.length >= total) continue;
    const content = [...stage.children].map((c) => c.getBoundingClientRect());
    const used = Math.max(...content.map((c) => c.bottom)) - Math.min(...content.map((c) => c.top));
    const gap = parseFloat(getComputedStyle(list).rowGap) || 0;
    const tallest = Math.max(...rows.map((row) => row.getBoundingClientRect().height));
    if (room.height - padding - used >= tallest + gap) {
      problems.push(`${describe(list)} shows ${rows.length} of ${total} entries with room for more`);
    }
  }

  const toast = document.getElementById("toast");
  if (shown(toast)) {
    const box = toast.getBoundingClientRect();
    for (const node of stage.querySelectorAll("*")) {
      if (shown(node) && intersects(box, node.getBoundingClientRect())) {
        problems.push(`the celebration covers ${describe(node)}`);
        break;
      }
    }
  }
  if (document.documentElement.scrollWidth > W || document.documentElement.scrollHeight > H) {
    problems.push(`the page scrolls: ${document.documentElement.scrollWidth}x${document.documentElement.scrollHeight}`);
  }
  return problems;
};
