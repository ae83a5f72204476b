// Heatmaps on canvases: the output over the view with the train and test
// points, and the small thumbnails on every neuron. Values come as base64
// strings of N×N bytes (row 0 at the top, largest x2); one output maps byte b to
// b/255·2−1 in the Playground's orange–white–blue scale, several outputs (one
// per class, b/255 its probability) mix the class colours.

const ORANGE = [245, 147, 34];
const WHITE = [232, 234, 235];
const BLUE = [8, 119, 189];
/** Class colours beyond two (class 0 orange, class 1 blue, then these). */
export const CLASS_COLOURS = [ORANGE, BLUE, [76, 175, 80], [156, 39, 176], [233, 30, 99], [0, 150, 136],
  [121, 85, 72], [96, 125, 139]];

/** Decodes a base64 string into bytes. */
export function decode(b64) {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Writes into `out` at `q` the colour `a` (0 … 1) of the way from white to `to`. */
function mix(to, a, out, q) {
  for (let k = 0; k < 3; k++) out[q + k] = Math.round(WHITE[k] + (to[k] - WHITE[k]) * a);
}

/** Writes into `out` at `q` the colour of a value in [−1, 1] (orange negative, blue positive). */
function valueColour(v, discretize, out, q) {
  if (discretize) v = v < 0 ? -1 : 1;
  const t = Math.max(-1, Math.min(1, v));
  mix(t < 0 ? ORANGE : BLUE, Math.abs(t), out, q);
}

/** The colour of a value in [−1, 1] (orange negative, blue positive). */
export function colourOf(v, discretize = false) {
  const rgb = [0, 0, 0];
  valueColour(v, discretize, rgb, 0);
  return rgb;
}

/**
 * Byte → RGBA tables, one per way of colouring a byte, made once: a heatmap
 * is painted by looking each cell's byte up (mixing colours per cell was
 * most of the page's drawing time).
 */
const tables = new Map();

function table(key, colour) {
  let t = tables.get(key);
  if (!t) {
    t = new Uint32Array(256);
    const rgb = [0, 0, 0];
    const bytes = new Uint8Array(t.buffer);
    for (let b = 0; b < 256; b++) {
      colour(b, rgb);
      bytes.set([rgb[0], rgb[1], rgb[2], 255], b * 4);
    }
    tables.set(key, t);
  }
  return t;
}

/** The table of a single output: byte b is the value b/255·2−1. */
function valueTable(discretize) {
  return table(`value ${discretize}`, (b, rgb) => valueColour((b / 255) * 2 - 1, discretize, rgb, 0));
}

/** The table of class `c`'s probability b/255 (full colour when discretised). */
function classTable(c, discretize) {
  return table(`class ${c} ${discretize}`, (b, rgb) => mix(CLASS_COLOURS[c % CLASS_COLOURS.length], discretize ? 1 : b / 255, rgb, 0));
}

function classColour(label, classes) {
  if (classes <= 2) return Number(label) > 0 ? BLUE : ORANGE;
  return CLASS_COLOURS[Math.round(Number(label)) % CLASS_COLOURS.length];
}

/** One scratch canvas per grid size, reused by every paint (making one per paint is slow). */
const scratch = new Map();

function scratchFor(n) {
  let s = scratch.get(n);
  if (!s) {
    const canvas = document.createElement('canvas');
    canvas.width = n;
    canvas.height = n;
    const ctx = canvas.getContext('2d');
    const img = ctx.createImageData(n, n);
    s = { canvas, ctx, img, pixels: new Uint32Array(img.data.buffer) };
    scratch.set(n, s);
  }
  return s;
}

/** Paints a heatmap `{size, data:[b64...]}` onto `canvas` (any size; scaled). */
export function paint(canvas, heat, { discretize = false } = {}) {
  const ctx = canvas.getContext('2d');
  if (!heat || !heat.data || heat.data.length === 0) {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    return;
  }
  const planes = (Array.isArray(heat.data) ? heat.data : [heat.data]).map(decode);
  const n = heat.size || Math.round(Math.sqrt(planes[0].length));
  const tmp = scratchFor(n);
  const px = tmp.pixels; // one RGBA pixel per element, in the platform's byte order, as the tables
  if (planes.length === 1) {
    const colours = valueTable(discretize);
    const plane = planes[0];
    for (let p = 0; p < n * n; p++) px[p] = colours[plane[p]];
  } else {
    const colours = planes.map((_, c) => classTable(c, discretize));
    for (let p = 0; p < n * n; p++) {
      let best = 0;
      for (let c = 1; c < planes.length; c++) if (planes[c][p] > planes[best][p]) best = c;
      px[p] = colours[best][planes[best][p]];
    }
  }
  tmp.ctx.putImageData(tmp.img, 0, 0);
  ctx.imageSmoothingEnabled = !discretize;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(tmp.canvas, 0, 0, canvas.width, canvas.height);
}

/** Maps data coordinates to canvas pixels for the view [x1min, x1max, x2min, x2max]. */
export function toPixel(view, canvas, x1, x2) {
  const [a, b, c, d] = view;
  return [((x1 - a) / (b - a)) * canvas.width, ((d - x2) / (d - c)) * canvas.height];
}

/** Maps a canvas pixel back to data coordinates. */
export function toData(view, canvas, px, py) {
  const [a, b, c, d] = view;
  return [a + (px / canvas.width) * (b - a), d - (py / canvas.height) * (d - c)];
}

/** Draws points [[x1, x2, label]...] (test points with a dark ring). */
export function drawPoints(canvas, view, points, classes, { test = false, regression = false } = {}) {
  const ctx = canvas.getContext('2d');
  for (const [x1, x2, label] of points) {
    const [px, py] = toPixel(view, canvas, x1, x2);
    const rgb = regression ? colourOf(Number(label)) : classColour(label, classes);
    ctx.beginPath();
    ctx.arc(px, py, 3.2, 0, 2 * Math.PI);
    ctx.fillStyle = `rgb(${rgb.join(',')})`;
    ctx.fill();
    ctx.lineWidth = 1;
    ctx.strokeStyle = test ? '#000' : '#fff';
    ctx.stroke();
  }
}

/** Rings the point at (x1, x2): the one the gradient check uses. */
export function ring(canvas, view, x1, x2) {
  const ctx = canvas.getContext('2d');
  const [px, py] = toPixel(view, canvas, x1, x2);
  ctx.beginPath();
  ctx.arc(px, py, 8, 0, 2 * Math.PI);
  ctx.lineWidth = 2;
  ctx.strokeStyle = '#000';
  ctx.stroke();
}

/** Shows which colour is which class under the heatmap (nothing for a regression). */
export function legend(el, classes, t) {
  el.innerHTML = '';
  if (!classes) return;
  const names = classes <= 2 ? ['−1', '+1'] : [...Array(classes).keys()].map(String);
  names.forEach((name, c) => {
    const item = document.createElement('span');
    item.className = 'swatch';
    const rgb = classes <= 2 ? (c === 0 ? ORANGE : BLUE) : CLASS_COLOURS[c % CLASS_COLOURS.length];
    item.style.setProperty('--colour', `rgb(${rgb.join(',')})`);
    item.textContent = `${t('class')} ${name}`;
    el.appendChild(item);
  });
}

/** Draws tick labels of the view along the bottom and left of an axes element,
 * and the axes' names x1 (horizontal) and x2 (vertical). */
export function axes(el, view) {
  const [a, b, c, d] = view;
  const fmt = (v) => (Math.abs(v) >= 10 ? v.toFixed(0) : v.toFixed(1).replace(/\.0$/, ''));
  el.innerHTML = '';
  for (let k = 0; k <= 4; k++) {
    const x = document.createElement('span');
    x.className = 'tick x';
    x.style.left = `${k * 25}%`;
    x.textContent = fmt(a + ((b - a) * k) / 4);
    el.appendChild(x);
    const y = document.createElement('span');
    y.className = 'tick y';
    y.style.top = `${k * 25}%`;
    y.textContent = fmt(d - ((d - c) * k) / 4);
    el.appendChild(y);
  }
  for (const [cls, name] of [['name x', 'x1'], ['name y', 'x2']]) {
    const label = document.createElement('span');
    label.className = `axis-${cls}`;
    label.textContent = name;
    el.appendChild(label);
  }
}
