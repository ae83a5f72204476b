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
    s = { canvas, ctx, img: ctx.createImageData(n, n) };
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
  const px = tmp.img.data;
  for (let p = 0; p < n * n; p++) {
    const q = p * 4;
    if (planes.length === 1) {
      valueColour((planes[0][p] / 255) * 2 - 1, discretize, px, q);
    } else {
      let best = 0;
      for (let c = 1; c < planes.length; c++) if (planes[c][p] > planes[best][p]) best = c;
      mix(CLASS_COLOURS[best % CLASS_COLOURS.length], discretize ? 1 : planes[best][p] / 255, px, q);
    }
    px[q + 3] = 255;
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
