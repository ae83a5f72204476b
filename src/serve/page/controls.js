// The controls: filled from the server's `hello` lists, read into a Config and
// written back from the server's applied Config. Every change calls `onChange`
// with the whole new Config (the server decides what it resets).

import { t } from './i18n.js';

const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const REG_RATES = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const FALLBACK = {
  datasets: ['circle', 'xor', 'gauss', 'spiral', 'plane', 'multi-gaussian'],
  features: ['x1', 'x2', 'x1^2', 'x2^2', 'x1x2', 'sin(x1)', 'sin(x2)'],
  activations: ['relu', 'tanh', 'sigmoid', 'linear'],
  losses: ['half-squared', 'cross-entropy'],
  optimizers: ['sgd', 'momentum', 'adam'],
  regularizations: ['none', 'l1', 'l2'],
  problems: ['classification', 'regression'],
};
const FEATURE_LABELS = { 'x1^2': 'X₁²', 'x2^2': 'X₂²', x1x2: 'X₁X₂', 'sin(x1)': 'sin(X₁)', 'sin(x2)': 'sin(X₂)', x1: 'X₁', x2: 'X₂' };

const $ = (id) => document.getElementById(id);
let lists = { ...FALLBACK };
let config = {};
let onChange = () => {};

/** The label shown for a feature name. */
export function featureLabel(name) {
  return FEATURE_LABELS[name] ?? name;
}

function fillSelect(el, values, label = (v) => String(v)) {
  const keep = el.value;
  el.innerHTML = '';
  for (const v of values) {
    const o = document.createElement('option');
    o.value = String(v);
    o.textContent = label(v);
    el.appendChild(o);
  }
  if (keep) el.value = keep;
}

function setSelect(el, value) {
  const s = String(value);
  if (![...el.options].some((o) => o.value === s)) {
    const o = document.createElement('option');
    o.value = s;
    o.textContent = s;
    el.appendChild(o);
  }
  el.value = s;
}

/** Fills `parent` with one button of class `cls` per name, labelled by `label`. */
function toggles(parent, cls, names, label, onClick) {
  parent.innerHTML = '';
  for (const name of names) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = cls;
    b.dataset.name = name;
    b.textContent = label(name);
    b.addEventListener('click', () => onClick(name));
    parent.appendChild(b);
  }
}

/** Builds the controls from the hello message's lists; `change(config)` is called on every edit. */
export function init(hello, change) {
  onChange = change;
  for (const key of Object.keys(FALLBACK)) if (Array.isArray(hello[key]) && hello[key].length) lists[key] = hello[key];
  fillSelect($('lr'), LEARNING_RATES);
  fillSelect($('reg_rate'), REG_RATES);
  fillSelect($('activation'), lists.activations);
  fillSelect($('regularization'), lists.regularizations, (v) => (v === 'none' ? t('none') : String(v).toUpperCase()));
  fillSelect($('problem'), lists.problems, (v) => t(v));
  fillSelect($('loss'), lists.losses);
  fillSelect($('optimizer'), lists.optimizers);
  toggles($('datasets'), 'dataset', lists.datasets, (name) => name, (name) => edit({ dataset: name }));
  toggles($('features'), 'feature', lists.features, featureLabel, (name) => {
    const on = new Set(config.features || []);
    if (on.has(name)) on.delete(name);
    else on.add(name);
    edit({ features: lists.features.filter((f) => on.has(f)) });
  });
  const number = (id, v) => (v === '' ? null : Number(v));
  for (const id of ['lr', 'reg_rate']) $(id).addEventListener('change', (e) => edit({ [id]: Number(e.target.value) }));
  for (const id of ['activation', 'regularization', 'problem', 'loss', 'optimizer']) {
    $(id).addEventListener('change', (e) => edit({ [id]: e.target.value }));
  }
  for (const id of ['ratio', 'noise', 'batch_size']) {
    $(id).addEventListener('input', (e) => { $(`${id}-value`).textContent = e.target.value; });
    $(id).addEventListener('change', (e) => edit({ [id]: Number(e.target.value) }));
  }
  for (const id of ['seed', 'epochs', 'target_loss', 'target_accuracy']) {
    $(id).addEventListener('change', (e) => edit({ [id]: number(id, e.target.value) }));
  }
  $('shuffle').addEventListener('change', (e) => edit({ shuffle: e.target.checked }));
  $('layer-plus').addEventListener('click', () => setHidden([...(config.hidden || []), last(config.hidden) ?? 4]));
  $('layer-minus').addEventListener('click', () => setHidden((config.hidden || []).slice(0, -1)));
}

function last(a) {
  return a && a.length ? a[a.length - 1] : undefined;
}

/** Sets the width of hidden layer `l` (0-based); a width of 0 removes the layer. */
export function setWidth(l, width) {
  const hidden = [...(config.hidden || [])];
  if (width <= 0) hidden.splice(l, 1);
  else hidden[l] = width;
  setHidden(hidden);
}

function setHidden(hidden) {
  edit({ hidden });
}

function edit(fields) {
  // a cleared field is sent as null: the server turns it off or back to its default
  onChange({ ...config, ...fields });
}

/** The Config the controls show. */
export function current() {
  return { ...config };
}

/** Shows `applied` (the server's Config) in every control. */
export function show(applied) {
  config = { ...applied };
  setSelect($('lr'), config.lr);
  setSelect($('reg_rate'), config.reg_rate);
  for (const id of ['activation', 'regularization', 'problem', 'loss', 'optimizer']) {
    if (config[id] !== undefined) setSelect($(id), config[id]);
  }
  for (const id of ['ratio', 'noise', 'batch_size']) {
    if (config[id] === undefined) continue;
    $(id).value = String(config[id]);
    $(`${id}-value`).textContent = String(config[id]);
  }
  for (const id of ['seed', 'epochs', 'target_loss', 'target_accuracy']) {
    $(id).value = config[id] === undefined || config[id] === null ? '' : String(config[id]);
  }
  $('shuffle').checked = !!config.shuffle;
  for (const b of document.querySelectorAll('#datasets .dataset')) b.classList.toggle('selected', b.dataset.name === config.dataset);
  const on = new Set(config.features || []);
  for (const b of document.querySelectorAll('#features .feature')) b.classList.toggle('selected', on.has(b.dataset.name));
  const n = (config.hidden || []).length;
  $('layer-count').textContent = String(n);
  $('layer-word').dataset.i18n = n === 1 ? 'hidden_layer' : 'hidden_layers';
  $('layer-word').textContent = t($('layer-word').dataset.i18n);
}
