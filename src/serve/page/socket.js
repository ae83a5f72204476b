// The WebSocket to the server: one socket is one session. Messages are JSON
// objects {type, ...}; `on(type, fn)` registers a handler, `send(type, fields)`
// sends. A dropped connection calls the 'closed' handler; `connect()` again
// opens a new session.

const handlers = new Map();
let ws = null;

/** Registers `fn` for messages of `type` (also 'open' and 'closed'). */
export function on(type, fn) {
  handlers.set(type, fn);
}

function dispatch(type, msg) {
  const fn = handlers.get(type);
  if (fn) fn(msg);
  else if (type !== 'open') console.warn('no handler for message', type);
}

/** Opens the session's socket at /ws of the page's own host. */
export function connect() {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  ws = new WebSocket(`${proto}//${location.host}/ws`);
  ws.onopen = () => dispatch('open', {});
  ws.onmessage = (ev) => {
    let msg;
    try {
      msg = JSON.parse(ev.data);
    } catch (e) {
      dispatch('error', { message: `the server sent a message that is not JSON: ${String(ev.data).slice(0, 80)}` });
      return;
    }
    if (msg && typeof msg.type === 'string') dispatch(msg.type, msg);
  };
  ws.onclose = (ev) => {
    ws = null;
    dispatch('closed', { code: ev.code, reason: ev.reason });
  };
}

/** True while the socket is open. */
export function isOpen() {
  return ws !== null && ws.readyState === WebSocket.OPEN;
}

/** Sends {type, ...fields}; returns false (and sends nothing) when not connected. */
export function send(type, fields = {}) {
  if (!isOpen()) return false;
  ws.send(JSON.stringify({ type, ...fields }));
  return true;
}

/** Sends a raw text frame (used by the tests of the server's error path). */
export function sendRaw(text) {
  if (!isOpen()) return false;
  ws.send(text);
  return true;
}
