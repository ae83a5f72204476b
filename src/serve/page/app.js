// The Playground page: connects to the server, sends the controls' Config and
// the buttons' commands, and draws every frame (epoch, losses, chart, output
// heatmap with points, the network, metrics). Errors from the server and a
// dropped connection are shown in the banner.

import * as socket from './socket.js';
import * as i18n from './i18n.js';
import * as controls from './controls.js';
import * as network from './network.js';
import * as chart from './chart.js';
import * as heat from './heatmap.js';
import * as panels from './panels.js';
import { readHash, writeHash } from './urlstate.js';

const $ = (id) => document.getElementById(id);
const fromUrl = readHash();
const viewOpts = { show_test: false, discretize: false, click_class: '1', ...fromUrl.view };
let pendingConfig = fromUrl.config; // sent once hello has arrived
let state = null; // the last `state`
let frame = null; // the last `frame`
let running = false;
let hello = null;
let gradRinged = false; // the gradient check's point is ringed once its controls are used, until new data
// Frames received, frames drawn and the milliseconds spent drawing them (the frame-rate measurement reads them).
const stats = { received: 0, frames: 0, drawMs: 0 };

i18n.initLanguage(viewOpts.lang);
i18n.apply();
$('lang').textContent = i18n.t('language');

/** Shows a message in the banner; `reconnect` adds the reconnect button. */
function banner(text, { reconnect = false, kind = 'error' } = {}) {
  $('banner-text').textContent = text;
  $('banner').className = `banner ${kind}`;
  $('reconnect').classList.toggle('hidden', !reconnect);
}
$('banner-close').addEventListener('click', () => $('banner').classList.add('hidden'));
$('reconnect').addEventListener('click', () => { $('banner').classList.add('hidden'); socket.connect(); });

function saveUrl() {
  const { lang: _l, ...rest } = viewOpts;
  writeHash(controls.current(), { ...rest, lang: i18n.language() });
}

socket.on('hello', (msg) => {
  hello = msg;
  controls.init(msg, (config) => socket.send('config', { config }));
  network.init($('network'), {
    onWeight: (layer, to, from, value) => socket.send('set_weight', { layer, to, from, value }),
    onBias: (layer, node, value) => socket.send('set_bias', { layer, node, value }),
    onNeurons: (l, n) => controls.setWidth(l, n),
    onError: (text) => banner(text),
  });
  const start = { ...(msg.config || {}), ...pendingConfig };
  pendingConfig = {};
  socket.send('config', { config: start });
});

socket.on('state', (msg) => {
  state = msg;
  controls.show(msg.config || {});
  i18n.apply();
  if (!msg.kept) {
    chart.clear(); // a kept network goes on counting epochs
    // new points: the gradient check's table and ring were of the old ones
    $('grad-check').innerHTML = '';
    gradRinged = false;
  }
  frame = null;
  const classes = msg.classes || 2;
  const sel = $('click_class');
  const regression = (msg.config || {}).problem === 'regression';
  const values = regression ? ['-1', '-0.5', '0', '0.5', '1'] : classes <= 2 ? ['-1', '1'] : [...Array(classes).keys()].map(String);
  sel.innerHTML = values.map((v) => `<option value="${v}">${v}</option>`).join('');
  if (values.includes(String(viewOpts.click_class))) sel.value = String(viewOpts.click_class);
  else viewOpts.click_class = sel.value;
  const shape = msg.shape || [(msg.config.features || []).length, ...(msg.config.hidden || []), 1];
  network.layout(shape, (msg.config.features || []).map(controls.featureLabel));
  heat.axes($('axes'), view());
  heat.legend($('legend'), regression ? 0 : classes, i18n.t);
  showGradChoice();
  drawOutput();
  saveUrl();
});

// A frame is drawn when it arrives, unless the last draw ended less than
// DRAW_GAP_MS ago: then it waits for the browser's next animation frame, and
// a frame arriving meanwhile replaces it (its loss rows are kept). So a page
// that cannot draw as fast as the server sends skips frames instead of falling
// behind. A frame of a paused or stopped run is drawn at once.
const DRAW_GAP_MS = 20;
let drawPending = false;
let drawnAt = -Infinity;

socket.on('frame', (msg) => {
  frame = msg;
  running = !!msg.running;
  stats.received += 1;
  $('play').textContent = running ? '⏸' : '▶';
  $('play').classList.toggle('playing', running);
  chart.extend(msg.history);
  if (!running || performance.now() - drawnAt >= DRAW_GAP_MS) {
    drawFrame();
  } else if (!drawPending) {
    drawPending = true;
    requestAnimationFrame(() => { if (drawPending) drawFrame(); });
  }
});

/** Draws the last frame: counters, losses, chart, metrics, the network and the output map. */
function drawFrame() {
  drawPending = false;
  const msg = frame;
  if (!msg) return;
  const start = performance.now();
  $('epoch').textContent = Number(msg.epoch || 0).toLocaleString('en-US', { minimumIntegerDigits: 6 }).replace(/^0,?/, '0');
  $('epoch').dataset.epoch = String(msg.epoch || 0);
  $('train-loss').textContent = fmtLoss(msg.train_loss);
  $('test-loss').textContent = fmtLoss(msg.test_loss);
  $('status').textContent = running ? i18n.t('running') : msg.stopped ? `${i18n.t('stopped')}: ${i18n.t(`stop_${msg.stopped}`)}` : '';
  $('status').dataset.stopped = msg.stopped || '';
  chart.draw($('chart'));
  panels.metrics($('metrics'), msg.metrics);
  network.update(msg, { discretize: viewOpts.discretize });
  drawOutput();
  stats.frames += 1;
  drawnAt = performance.now();
  stats.drawMs += drawnAt - start;
}

socket.on('grad_check', (msg) => panels.gradTable($('grad-check'), msg,
  { regression: ((state && state.config) || {}).problem === 'regression' }));
socket.on('export', (msg) => panels.exported(msg));
socket.on('error', (msg) => banner(`${i18n.t('error')}: ${msg.message}${msg.field ? ` (${msg.field})` : ''}`));
socket.on('open', () => $('banner').classList.add('hidden'));
socket.on('closed', (ev) => {
  running = false;
  $('play').textContent = '▶';
  banner(`${i18n.t('disconnected')}${ev.reason ? ` ${ev.reason}` : ''}`, { reconnect: true });
});

function fmtLoss(v) {
  return v === undefined || v === null ? '—' : Number(v).toFixed(3);
}

function view() {
  return (state && state.view) || [-6, 6, -6, 6];
}

/** The gradient check's choice: `{point}` (a training point's index) or `{set: 'train'}`. */
function gradChoice() {
  if ($('grad-at').value === 'train') return { set: 'train' };
  return { point: Math.max(0, Math.floor(Number($('grad-point').value) || 0)) };
}

/** The training point the gradient check will use, if it uses one. */
function gradPoint() {
  const choice = gradChoice();
  return choice.point === undefined ? undefined : ((state && state.train) || [])[choice.point];
}

/** Says under the gradient check's controls which points it uses (the chosen one is ringed on the map). */
function showGradChoice() {
  const train = (state && state.train) || [];
  const whole = gradChoice().set === 'train';
  $('grad-point').disabled = whole;
  $('grad-point').max = String(Math.max(0, train.length - 1));
  const p = gradPoint();
  const regression = ((state && state.config) || {}).problem === 'regression';
  $('grad-where').textContent = whole ? `${train.length} ${i18n.t('grad_points')}`
    : p ? `#${gradChoice().point}: ${panels.pointText(p, regression)}${gradRinged ? `, ${i18n.t('grad_ringed')}` : ''}`
      : `0 … ${train.length - 1}?`;
}

function drawOutput() {
  const canvas = $('heatmap');
  if (frame && frame.heatmap) heat.paint(canvas, frame.heatmap, { discretize: viewOpts.discretize });
  else canvas.getContext('2d').clearRect(0, 0, canvas.width, canvas.height);
  if (!state) return;
  const classes = state.classes || 2;
  const regression = (state.config || {}).problem === 'regression';
  heat.drawPoints(canvas, view(), state.train || [], classes, { regression });
  if (viewOpts.show_test) heat.drawPoints(canvas, view(), state.test || [], classes, { test: true, regression });
  const p = gradRinged && gradPoint();
  if (p) heat.ring(canvas, view(), p[0], p[1]);
}

$('play').addEventListener('click', () => socket.send(running ? 'pause' : 'play'));
$('step').addEventListener('click', () => socket.send('step'));
$('reset').addEventListener('click', () => socket.send('reset'));
$('regenerate').addEventListener('click', () => socket.send('regenerate'));
$('clear-points').addEventListener('click', () => socket.send('clear_points'));
$('check-grad').addEventListener('click', () => {
  gradRinged = true;
  showGradChoice();
  drawOutput();
  socket.send('check_grad', gradChoice());
});
for (const id of ['grad-at', 'grad-point']) {
  $(id).addEventListener('input', () => { gradRinged = true; showGradChoice(); drawOutput(); });
}
$('export').addEventListener('click', () => socket.send('export'));
$('copy').addEventListener('click', async () => {
  try {
    await navigator.clipboard.writeText($('command').textContent);
    $('copy').textContent = i18n.t('copied');
  } catch (e) {
    banner(`${i18n.t('error')}: ${e.message}`);
  }
});
for (const id of ['show_test', 'discretize']) {
  $(id).checked = !!viewOpts[id];
  $(id).addEventListener('change', (e) => {
    viewOpts[id] = e.target.checked;
    if (frame) network.update(frame, { discretize: viewOpts.discretize });
    drawOutput();
    saveUrl();
  });
}
$('click_class').addEventListener('change', (e) => { viewOpts.click_class = e.target.value; saveUrl(); });
$('heatmap').addEventListener('click', (ev) => {
  const canvas = $('heatmap');
  const box = canvas.getBoundingClientRect();
  const px = ((ev.clientX - box.left) / box.width) * canvas.width;
  const py = ((ev.clientY - box.top) / box.height) * canvas.height;
  const [x1, x2] = heat.toData(view(), canvas, px, py);
  socket.send('add_point', { x1, x2, label: Number($('click_class').value) });
});
$('csv').addEventListener('change', async (ev) => {
  const file = ev.target.files[0];
  if (!file) return;
  const limit = (hello && hello.limits && hello.limits.message_bytes) || 1 << 20;
  if (file.size > limit) {
    banner(`${i18n.t('error')}: ${file.name}: ${file.size} bytes > ${limit}`);
  } else {
    socket.send('upload_csv', { name: file.name, text: await file.text() });
  }
  ev.target.value = '';
});
$('lang').addEventListener('click', () => {
  i18n.toggleLanguage();
  $('lang').textContent = i18n.t('language');
  if (state) controls.show(state.config || {});
  if (frame) panels.metrics($('metrics'), frame.metrics);
  if (state) showGradChoice();
  saveUrl();
});
document.addEventListener('keydown', (e) => { if (e.key === 'Escape') network.closeEditor(); });
window.addEventListener('hashchange', () => {
  const next = readHash();
  socket.send('config', { config: { ...controls.current(), ...next.config } });
});

// For the browser tests and the curious: the page's last messages and its drawing counts.
window.playground = { get state() { return state; }, get frame() { return frame; }, socket, stats };
socket.connect();
