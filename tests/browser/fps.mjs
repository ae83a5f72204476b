// Measures the page's frame rate while it trains the default 3×8 ReLU spiral
// with every heatmap on (the output map and a thumbnail on every neuron):
// frames the page received and drew per second, the milliseconds a frame
// takes to draw, the browser's own animation frames per second (which drop
// when drawing holds the page's thread), epochs trained per second, the
// frames' size, and where the page's main thread spent its time (Chromium's
// performance metrics: script, style, layout, all tasks, in ms per second).
// A measurement, not a test: it prints one JSON line per run.
//
//   node fps.mjs [SECONDS] [RUNS]     (XIAOLAN_BIN=path uses that binary instead of building)

import { buildBinary, launchBrowser, openPlayground, startServer } from './harness.mjs';

const seconds = Number(process.argv[2] || 10);
const runs = Number(process.argv[3] || 1);
const bin = process.env.XIAOLAN_BIN || buildBinary('release');
const server = await startServer(bin);
const browser = await launchBrowser();

/** Chromium's cumulative main-thread durations (seconds), by name. */
async function durations(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const m = Object.fromEntries(metrics.map(({ name, value }) => [name, value]));
  return { script: m.ScriptDuration, style: m.RecalcStyleDuration, layout: m.LayoutDuration, task: m.TaskDuration };
}

try {
  for (let r = 0; r < runs; r++) {
    const page = await openPlayground(browser.context, server.url);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const sizes = [];
    page.on('websocket', (ws) => ws.on('framereceived', ({ payload }) => {
      if (String(payload).includes('"type":"frame"')) sizes.push(payload.length);
    }));
    // the page's socket opened before the listener: reload so the listener sees it
    await page.reload();
    await page.waitForFunction(() => window.playground && window.playground.frame, null, { timeout: 20_000 });
    await page.locator('#play').click();
    await page.waitForFunction(() => window.playground.frame.running, null, { timeout: 10_000 });
    await page.waitForTimeout(2000); // past the first frames
    const before = await durations(cdp);
    const counted = sizes.length;
    const result = await page.evaluate((ms) => new Promise((done) => {
      const p = window.playground;
      const at = () => ({
        received: p.stats.received ?? p.stats.frames, frames: p.stats.frames, drawMs: p.stats.drawMs,
        epoch: p.frame.epoch, t: performance.now(),
      });
      const start = at();
      let ticks = 0;
      let shown = 0;
      let seen = start.frames;
      const tick = () => {
        ticks += 1;
        if (p.stats.frames !== seen) { shown += 1; seen = p.stats.frames; }
        if (performance.now() - start.t < ms) requestAnimationFrame(tick);
        else {
          const end = at();
          const s = (end.t - start.t) / 1000;
          const frames = end.frames - start.frames;
          done({
            seconds: Number(s.toFixed(2)),
            frames_received_per_second: Number(((end.received - start.received) / s).toFixed(1)),
            frames_drawn_per_second: Number((frames / s).toFixed(1)),
            frames_shown_per_second: Number((shown / s).toFixed(1)),
            draw_ms_per_frame: Number(((end.drawMs - start.drawMs) / Math.max(1, frames)).toFixed(2)),
            animation_frames_per_second: Number((ticks / s).toFixed(1)),
            epochs_per_second: Math.round((end.epoch - start.epoch) / s),
          });
        }
      };
      requestAnimationFrame(tick);
    }), seconds * 1000);
    const after = await durations(cdp);
    const perSecond = (k) => Number((((after[k] - before[k]) * 1000) / result.seconds).toFixed(1));
    const got = sizes.slice(counted);
    const main = { script: perSecond('script'), style: perSecond('style'), layout: perSecond('layout'), task: perSecond('task') };
    const frameBytes = got.length ? Math.round(got.reduce((a, b) => a + b, 0) / got.length) : null;
    console.log(JSON.stringify({ bin, run: r + 1, ...result, frame_bytes: frameBytes, main_thread_ms_per_second: main }));
    await page.close();
  }
} finally {
  await browser.close();
  await server.stop();
}
