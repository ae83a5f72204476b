// The whole experiment in the URL's hash: the Config plus the page's view
// options, as key=value pairs (lists comma-separated), so a link reopens the
// same experiment.

const LISTS = new Set(['features', 'hidden']);
const NUMBERS = new Set(['noise', 'ratio', 'batch_size', 'lr', 'reg_rate', 'seed',
  'data_seed', 'epochs', 'target_loss', 'target_accuracy']);
const BOOLS = new Set(['shuffle', 'show_test', 'discretize']);

/** Reads the hash into {config, view}; unknown or empty keys are left out. */
export function readHash(hash = location.hash) {
  const config = {};
  const view = {};
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  for (const [key, raw] of params) {
    let value = raw;
    if (LISTS.has(key)) {
      value = raw === '' ? [] : raw.split(',');
      if (key === 'hidden') value = value.map(Number);
    } else if (NUMBERS.has(key)) {
      value = Number(raw);
      if (!Number.isFinite(value)) continue;
    } else if (BOOLS.has(key)) {
      value = raw === 'true' || raw === '1';
    }
    if (key === 'show_test' || key === 'discretize' || key === 'lang' || key === 'click_class') view[key] = value;
    else config[key] = value;
  }
  return { config, view };
}

/** Writes config and view into the hash without adding a history entry. */
export function writeHash(config, view) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...config, ...view })) {
    if (value === null || value === undefined) continue;
    params.set(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  const hash = '#' + params.toString().replace(/%2C/g, ',');
  if (hash !== location.hash) history.replaceState(null, '', hash);
}
