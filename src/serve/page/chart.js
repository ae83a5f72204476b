// The live loss chart: train (grey) and test (black) loss against epoch, on a
// canvas, rescaled to the largest loss seen.

let points = []; // [epoch, train, test]

/** Forgets the history (after a reset or a new network). */
export function clear() {
  points = [];
}

/** Appends [epoch, train, test] rows; a row whose epoch is not after the last replaces the history from there. */
export function extend(rows) {
  for (const row of rows || []) {
    if (!Array.isArray(row) || row.length < 3) continue;
    while (points.length && points[points.length - 1][0] >= row[0]) points.pop();
    points.push(row.map(Number));
  }
  if (points.length > 4000) points = points.filter((_, k) => k % 2 === 0 || k === points.length - 1);
}

/** Draws the chart onto `canvas`. */
export function draw(canvas) {
  const ctx = canvas.getContext('2d');
  const w = canvas.width, h = canvas.height;
  ctx.clearRect(0, 0, w, h);
  if (points.length < 2) return;
  const first = points[0][0];
  const last = points[points.length - 1][0];
  let top = 0;
  for (const [, a, b] of points) top = Math.max(top, Number.isFinite(a) ? a : 0, Number.isFinite(b) ? b : 0);
  if (top <= 0) top = 1;
  const line = (k, colour) => {
    ctx.beginPath();
    points.forEach((p, n) => {
      const x = ((p[0] - first) / Math.max(1, last - first)) * (w - 2) + 1;
      const y = h - 1 - (Math.min(p[k], top) / top) * (h - 2);
      if (n === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    ctx.strokeStyle = colour;
    ctx.lineWidth = 1.5;
    ctx.stroke();
  };
  line(1, '#999');
  line(2, '#000');
}
