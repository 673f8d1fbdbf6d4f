// Tiny DOM helpers: every text from data goes in as a text node, never as HTML.

let seq = 0;
/** A fresh element id, for label/for and aria-describedby pairs. */
export const uid = (prefix) => `${prefix}-${++seq}`;

/**
 * h('button', { class: 'primary', onclick: fn, disabled: true }, '保存') — attributes, event handlers (on*),
 * boolean attributes; children are strings, nodes, arrays, or null/false (skipped).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'value') el.value = value;
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces an element's content. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** Announces a message in the page's live region (screen readers) and shows it in the status bar. */
let hideTimer;
export function say(message, kind = 'info') {
  const bar = document.getElementById('status');
  if (!bar) return;
  bar.className = `status status-${kind}`;
  bar.textContent = message;
  bar.hidden = !message;
  // Good news fades after a while; an error stays until the next message.
  clearTimeout(hideTimer);
  if (message && kind !== 'error') hideTimer = setTimeout(() => { bar.hidden = true; }, 8000);
}

/** Starts a file download in the browser (the URL carries its own short-lived ticket). */
export function download(url, fileName) {
  const a = h('a', { href: url, download: fileName, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
}
