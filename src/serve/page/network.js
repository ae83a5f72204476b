// The network drawn as the Playground draws it: one column per layer (the input
// features, the hidden layers, the outputs), a thumbnail heatmap in every node,
// and an SVG curve per weight whose thickness is |w| and whose colour is its sign.
// Hovering an edge or a node shows the weight (or bias) and its gradient;
// clicking opens an editor that sends set_weight / set_bias.

import { t } from './i18n.js';
import { paint, colourOf } from './heatmap.js';

const NODE = 40;
const GAP = 16;
const SVG_NS = 'http://www.w3.org/2000/svg';

let view = null; // {root, svg, nodes, edges, tip, editor}
let callbacks = {};
let laidOut = ''; // the shape the DOM was built for
let lastFrame = null;

/** Sets up the graph in `root`; `cbs` has onWeight(l,j,i,v), onBias(l,j,v), onLayers(n), onNeurons(l,n). */
export function init(root, cbs) {
  callbacks = cbs;
  root.innerHTML = '';
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.classList.add('edges');
  root.appendChild(svg);
  const tip = document.createElement('div');
  tip.className = 'tooltip hidden';
  root.appendChild(tip);
  const editor = document.createElement('form');
  editor.className = 'editor hidden';
  editor.innerHTML = '<label><span class="what"></span> <input type="text" size="8"></label> <button type="submit">OK</button>';
  root.appendChild(editor);
  view = { root, svg, tip, editor, nodes: [], edges: [] };
}

function fmt(v) {
  return v === undefined || v === null || Number.isNaN(v) ? '—' : Number(v).toPrecision(4);
}

function at(arr, ...idx) {
  let x = arr;
  for (const k of idx) {
    if (!x) return undefined;
    x = x[k];
  }
  return x;
}

/** Builds the columns for `shape` ([n_in, h1, ..., n_out]) with the input `features` names. */
export function layout(shape, features) {
  const key = JSON.stringify([shape, features]);
  if (key === laidOut) return;
  laidOut = key;
  const { root, svg } = view;
  for (const el of root.querySelectorAll('.node, .layer-head')) el.remove();
  view.nodes = [];
  const cols = shape.length;
  const width = Math.max(root.clientWidth, cols * 90);
  const tallest = Math.max(...shape);
  const height = Math.max(260, 70 + tallest * (NODE + GAP));
  root.style.height = `${height}px`;
  svg.setAttribute('width', width);
  svg.setAttribute('height', height);
  const colX = (c) => (cols === 1 ? width / 2 : 20 + (c * (width - 40 - NODE)) / (cols - 1));
  for (let c = 0; c < cols; c++) {
    const col = [];
    const x = colX(c);
    if (c > 0 && c < cols - 1) addLayerHead(x, c - 1, shape[c]);
    for (let j = 0; j < shape[c]; j++) {
      const y = 70 + j * (NODE + GAP);
      const node = document.createElement('div');
      node.className = c === 0 ? 'node input' : c === cols - 1 ? 'node output' : 'node hidden-unit';
      node.style.left = `${x}px`;
      node.style.top = `${y}px`;
      node.dataset.layer = String(c);
      node.dataset.index = String(j);
      const canvas = document.createElement('canvas');
      canvas.width = NODE;
      canvas.height = NODE;
      node.appendChild(canvas);
      if (c === 0) {
        const label = document.createElement('span');
        label.className = 'feature-name';
        label.textContent = features[j] ?? `x${j + 1}`;
        node.appendChild(label);
      }
      if (c > 0) {
        node.addEventListener('mouseenter', (ev) => showBias(ev, c - 1, j));
        node.addEventListener('mouseleave', hideTip);
        node.addEventListener('click', (ev) => openEditor(ev, 'bias', c - 1, j));
      }
      root.appendChild(node);
      col.push({ x, y, node, canvas });
    }
    view.nodes.push(col);
  }
  svg.innerHTML = '';
  view.edges = [];
  for (let c = 0; c + 1 < cols; c++) {
    for (let j = 0; j < shape[c + 1]; j++) {
      for (let i = 0; i < shape[c]; i++) {
        const a = view.nodes[c][i];
        const b = view.nodes[c + 1][j];
        const x0 = a.x + NODE, y0 = a.y + NODE / 2, x1 = b.x, y1 = b.y + NODE / 2;
        const mx = (x0 + x1) / 2;
        const path = document.createElementNS(SVG_NS, 'path');
        path.setAttribute('d', `M${x0},${y0} C${mx},${y0} ${mx},${y1} ${x1},${y1}`);
        path.classList.add('edge');
        path.dataset.l = String(c);
        path.dataset.j = String(j);
        path.dataset.i = String(i);
        path.addEventListener('mouseenter', (ev) => showWeight(ev, c, j, i));
        path.addEventListener('mouseleave', hideTip);
        path.addEventListener('click', (ev) => openEditor(ev, 'weight', c, j, i));
        svg.appendChild(path);
        view.edges.push({ path, l: c, j, i, stroke: '', width: '' });
      }
    }
  }
  if (lastFrame) update(lastFrame, {});
}

function addLayerHead(x, l, width) {
  const head = document.createElement('div');
  head.className = 'layer-head';
  head.style.left = `${x - 14}px`;
  head.innerHTML = `<button class="neuron-plus" title="${t('add_neuron')}">+</button>`
    + `<button class="neuron-minus" title="${t('remove_neuron')}">−</button>`
    + `<div class="count">${width} <span>${t(width === 1 ? 'neuron' : 'neurons')}</span></div>`;
  head.querySelector('.neuron-plus').addEventListener('click', () => callbacks.onNeurons(l, width + 1));
  head.querySelector('.neuron-minus').addEventListener('click', () => callbacks.onNeurons(l, width - 1));
  view.root.appendChild(head);
}

/** Redraws edge widths and colours, node thumbnails and dead markers from a frame. */
export function update(frame, { discretize = false } = {}) {
  lastFrame = frame;
  if (!view) return;
  // an edge's style is written only when it changes (a write restyles the graph)
  for (const e of view.edges) {
    const w = at(frame.weights, e.l, e.j, e.i);
    if (w === undefined) continue;
    const stroke = `rgb(${colourOf(Math.tanh(w)).join(',')})`;
    const width = Math.min(10, 0.5 + Math.abs(w) * 2.5).toFixed(1);
    if (stroke !== e.stroke) e.path.style.stroke = e.stroke = stroke;
    if (width !== e.width) e.path.style.strokeWidth = e.width = width;
  }
  const neurons = frame.neurons || [];
  // neurons start with the input features (one list per column but the output)
  // or, when there are only as many lists as hidden layers, with the first hidden layer
  const offset = neurons.length === view.nodes.length - 2 ? 1 : 0;
  view.nodes.forEach((col, c) => {
    col.forEach((n, j) => {
      // the output node shows the output heatmap
      const heat = c === view.nodes.length - 1 ? frame.heatmap : at(neurons, c - offset, j);
      if (heat) paint(n.canvas, heat, { discretize });
      const dead = c > 0 && at(frame.dead, c - 1, j) === true;
      n.node.classList.toggle('dead', dead);
      n.node.title = dead ? t('dead') : '';
    });
  });
}

function placeTip(ev, html) {
  const box = view.root.getBoundingClientRect();
  view.tip.innerHTML = html;
  view.tip.style.left = `${ev.clientX - box.left + 12}px`;
  view.tip.style.top = `${ev.clientY - box.top + 12}px`;
  view.tip.classList.remove('hidden');
}

function showWeight(ev, l, j, i) {
  const f = lastFrame || {};
  placeTip(ev, `${t('weight')} <b class="w">${fmt(at(f.weights, l, j, i))}</b><br>`
    + `${t('gradient')} <b class="g">${fmt(at(f.grads, 'weights', l, j, i))}</b>`);
}

function showBias(ev, l, j) {
  const f = lastFrame || {};
  placeTip(ev, `${t('bias')} <b class="w">${fmt(at(f.biases, l, j))}</b><br>`
    + `${t('gradient')} <b class="g">${fmt(at(f.grads, 'biases', l, j))}</b>`);
}

function hideTip() {
  view.tip.classList.add('hidden');
}

function openEditor(ev, kind, l, j, i) {
  ev.stopPropagation();
  const f = lastFrame || {};
  const { editor, root } = view;
  const box = root.getBoundingClientRect();
  editor.style.left = `${ev.clientX - box.left}px`;
  editor.style.top = `${ev.clientY - box.top}px`;
  editor.querySelector('.what').textContent = t(kind === 'weight' ? 'edit_weight' : 'edit_bias');
  const input = editor.querySelector('input');
  const current = kind === 'weight' ? at(f.weights, l, j, i) : at(f.biases, l, j);
  input.value = current === undefined ? '' : String(current);
  editor.classList.remove('hidden');
  input.focus();
  input.select();
  editor.onsubmit = (e) => {
    e.preventDefault();
    editor.classList.add('hidden');
    const v = Number(input.value);
    if (input.value.trim() === '' || !Number.isFinite(v)) {
      callbacks.onError(`${t(kind)}: ${t('bad_number')} "${input.value}"`);
      return;
    }
    if (kind === 'weight') callbacks.onWeight(l, j, i, v);
    else callbacks.onBias(l, j, v);
  };
}

/** Closes the editor (Escape or a click elsewhere). */
export function closeEditor() {
  if (view) view.editor.classList.add('hidden');
}
