// The output column's panels: metrics (accuracy and confusion matrix, or RMSE
// and R²), the gradient-check table and the export links.

import { t } from './i18n.js';

const $ = (id) => document.getElementById(id);

function num(v, digits = 4) {
  return v === undefined || v === null || Number.isNaN(Number(v)) ? '—' : Number(v).toPrecision(digits);
}

function cell(tag, text, cls) {
  const el = document.createElement(tag);
  el.textContent = text;
  if (cls) el.className = cls;
  return el;
}

/** Shows the frame's metrics in `el`. */
export function metrics(el, m) {
  el.innerHTML = '';
  if (!m) return;
  if (m.accuracy !== undefined) {
    const p = cell('p', '', 'metric');
    p.append(`${t('accuracy')}: `, cell('b', `${(Number(m.accuracy) * 100).toFixed(1)}%`));
    p.querySelector('b').id = 'accuracy';
    el.appendChild(p);
  }
  if (Array.isArray(m.confusion)) {
    el.appendChild(cell('p', t('confusion'), 'hint'));
    const table = document.createElement('table');
    table.className = 'confusion';
    for (const row of m.confusion) {
      const tr = document.createElement('tr');
      for (const v of row) tr.appendChild(cell('td', String(v)));
      table.appendChild(tr);
    }
    el.appendChild(table);
  }
  if (m.rmse !== undefined) el.appendChild(cell('p', `${t('rmse')}: ${num(m.rmse)}`, 'metric'));
  if (m.r2 !== undefined) el.appendChild(cell('p', `${t('r2')}: ${num(m.r2)}`, 'metric'));
}

/** A point [x1, x2, label] in words: its coordinates and its class (or target, for a regression). */
export function pointText([x1, x2, label], regression = false) {
  return `x1 ${num(x1, 3)}, x2 ${num(x2, 3)}, ${t(regression ? 'target' : 'class')} ${label}`;
}

/** Shows a grad_check message as a table with a summary line. */
export function gradTable(el, msg, { regression = false } = {}) {
  el.innerHTML = '';
  const rows = msg.rows || [];
  const allOk = msg.ok ?? rows.every((r) => r.ok);
  el.appendChild(cell('p', `${t('grad_table')} — ${allOk ? t('all_ok') : t('some_bad')}`, allOk ? 'summary ok' : 'summary bad'));
  if (msg.passed !== undefined) {
    const at = Array.isArray(msg.point)
      ? `${t('grad_loss')} (${msg.index === null || msg.index === undefined ? '' : `#${msg.index}: `}${pointText(msg.point, regression)})`
      : `${t('grad_loss_set')} (${msg.points} ${t('points')})`;
    el.appendChild(cell('p', `${msg.passed}/${rows.length} ${t('grad_summary')} ${num(msg.max_rel_err, 2)}; ${at} ${num(msg.loss)}`, 'hint grad-at'));
  }
  const table = document.createElement('table');
  table.className = 'grad-table';
  const head = document.createElement('tr');
  for (const k of ['param', 'analytic', 'numeric', 'abs_err', 'rel_err', 'ok']) head.appendChild(cell('th', t(k)));
  table.appendChild(head);
  for (const r of rows) {
    const tr = document.createElement('tr');
    tr.className = r.ok ? 'ok' : 'bad';
    const name = r.kind ? `${t(r.kind)} ${r.name}` : r.name ?? '';
    tr.append(cell('td', name), cell('td', num(r.analytic, 6)), cell('td', num(r.numeric, 6)),
      cell('td', num(r.abs_err, 2)), cell('td', num(r.rel_err, 2)), cell('td', r.ok ? t('ok') : t('bad')));
    table.appendChild(tr);
  }
  el.appendChild(table);
}

function blobUrl(b64, type) {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return URL.createObjectURL(new Blob([bytes], { type }));
}

/** Offers the export's files for download and shows its CLI command. */
export function exported(msg) {
  const base = msg.filename ? msg.filename.replace(/\.safetensors$/, '') : 'xiaolan-playground';
  const st = $('download-st');
  if (msg.safetensors) {
    st.href = blobUrl(msg.safetensors, 'application/octet-stream');
    st.download = `${base}.safetensors`;
    st.classList.remove('hidden');
    st.click();
  }
  const onnx = $('download-onnx');
  if (msg.onnx) {
    onnx.href = blobUrl(msg.onnx, 'application/octet-stream');
    onnx.download = `${base}.onnx`;
    onnx.classList.remove('hidden');
  } else {
    onnx.classList.add('hidden');
  }
  if (msg.command) {
    $('command').textContent = msg.command;
    $('command-box').classList.remove('hidden');
    $('copy').textContent = t('copy');
  }
}
