// What the browser tests share: the xiaolan binary (built by cargo), the
// server it runs (`xiaolan serve --port 0`, on a free loopback port), a
// headless Chromium (Debian's, driven by playwright-core) with a fresh
// profile, and pages that fail their test on any console error.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

/** The repository's root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The browser: `CHROMIUM` if set, else Debian's. */
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Returns the path of the xiaolan binary, as cargo reports it (so
 * CARGO_TARGET_DIR is honoured), building it first when it is not up to date.
 *
 * `'test'` (the default, what the browser tests use) is the binary
 * `cargo test --workspace` builds for the integration tests: after that
 * command, as in CI, it costs nothing, where a release build would take
 * minutes; it trains the page's networks fast enough for every test.
 * `'release'` is the optimised build, for measurements such as fps.mjs.
 */
export function buildBinary(profile = 'test') {
  const args = profile === 'release'
    ? ['build', '--release', '--bin', 'xiaolan']
    : ['test', '--workspace', '--no-run'];
  const out = spawnSync('cargo', [...args, '--message-format=json-render-diagnostics'],
    { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 256 << 20 });
  if (out.status !== 0) throw new Error(`cargo ${args.join(' ')} failed (exit ${out.status})`);
  for (const line of out.stdout.split('\n').reverse()) {
    if (!line.startsWith('{')) continue;
    const m = JSON.parse(line);
    if (m.reason === 'compiler-artifact' && m.target && m.target.name === 'xiaolan'
      && m.target.kind.includes('bin') && !m.profile.test && m.executable) return m.executable;
  }
  throw new Error(`cargo ${args.join(' ')} reported no executable for the xiaolan binary`);
}

/** Runs the binary with `args` and returns {status, stdout, stderr}. */
export function runCli(bin, args) {
  const out = spawnSync(bin, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

/**
 * Starts `bin serve --port 0` and resolves to {url, stop} once it has
 * printed its address ("Playground: http://127.0.0.1:PORT/ …").
 */
export function startServer(bin) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['serve', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server printed no address within 20 s (printed ${JSON.stringify(text)})`));
    }, 20_000);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`the server exited (code ${code}) before printing its address: ${text}`)); });
    child.stdout.on('data', (chunk) => {
      text += chunk;
      const m = /http:\/\/(127\.0\.0\.1:\d+)\//.exec(text);
      if (!m) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const stop = () => new Promise((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGINT');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      });
      resolve({ url: `http://${m[1]}/`, child, stop });
    });
  });
}

/**
 * Launches headless Chromium with a fresh profile in a temporary folder;
 * resolves to {context, dir, close}. Downloads are accepted.
 */
export async function launchBrowser({ locale = 'en-US' } = {}) {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`expected Chromium at ${CHROMIUM}, found nothing (apt-get install chromium)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiaolan-browser-'));
  const context = await chromium.launchPersistentContext(path.join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    acceptDownloads: true,
    locale,
    viewport: { width: 1400, height: 900 },
  });
  const close = async () => {
    await context.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { context, dir, close };
}

/**
 * Opens the Playground at `url` (with `hash`, the experiment in the URL) in a
 * new tab, which is a new session, and waits for its first frame. The
 * returned page's `errors` collects console errors and uncaught exceptions.
 */
export async function openPlayground(context, url, hash = '') {
  const page = await context.newPage();
  page.errors = [];
  page.on('console', (m) => { if (m.type() === 'error') page.errors.push(m.text()); });
  page.on('pageerror', (e) => page.errors.push(String(e)));
  await page.goto(url + hash);
  await page.waitForFunction(() => window.playground && window.playground.frame && window.playground.state,
    null, { timeout: 20_000 });
  return page;
}

/** Waits until the server's applied config (echoed in `state`) has `fields`. */
export async function waitForConfig(page, fields, timeout = 20_000) {
  await page.waitForFunction((want) => {
    const c = window.playground.state && window.playground.state.config;
    return c && Object.entries(want).every(([k, v]) => JSON.stringify(c[k]) === JSON.stringify(v));
  }, fields, { timeout, polling: 50 });
}

/** The test accuracy the page shows (#accuracy, "99.6%"), as a fraction. */
export async function shownAccuracy(page) {
  const text = (await page.locator('#accuracy').textContent()).trim();
  const m = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (!m) throw new Error(`expected the accuracy as "NN.N%", found ${JSON.stringify(text)}`);
  return Number(m[1]) / 100;
}

/** Sets the page's stop condition "epochs" as a user types it. */
export async function setEpochs(page, n) {
  const box = page.locator('#epochs');
  await box.fill(String(n));
  await box.press('Enter');
  await box.blur();
  await waitForConfig(page, { epochs: n });
}

/**
 * Presses play and waits until the run stops by itself (its stop
 * condition); resolves to the last frame.
 */
export async function playToStop(page, timeout = 120_000) {
  await page.locator('#play').click();
  await page.waitForFunction(() => {
    const f = window.playground.frame;
    return f && !f.running && f.stopped;
  }, null, { timeout, polling: 100 });
  return page.evaluate(() => window.playground.frame);
}
