// Inline confirmations under a report (no pop-up windows: they work the same on a phone and in tests).

import { h, fill, uid } from './dom.js';

/**
 * Opens a confirmation in `host`: the text, a button that runs `action` (kept disabled while it runs), 取消.
 * `action` answers an error message to show (the box stays open), or nothing when done (the box closes).
 */
export function confirmIn(host, { text, confirm, action }) {
  const error = h('p', { class: 'error', role: 'alert' });
  const ok = h('button', { type: 'button', class: 'primary' }, confirm);
  const close = () => fill(host);
  ok.addEventListener('click', async () => {
    ok.disabled = true;
    error.textContent = '';
    try {
      const failed = await action();
      if (failed) error.textContent = failed;
      else close();
    } finally {
      ok.disabled = false;
    }
  });
  fill(host, h('div', { class: 'confirm', role: 'group', 'aria-label': confirm },
    h('p', {}, text), error,
    h('div', { class: 'actions' }, ok, h('button', { type: 'button', onclick: close }, '取消'))));
  ok.focus();
}

/**
 * Asks for a reason (return, reopen) in `host`: required, at most 500 characters like the server; `action(reason)`
 * answers an error message to show, or nothing when done.
 */
export function reasonIn(host, { label, hint, confirm, action }) {
  const id = uid('reason');
  const input = h('textarea', { id, rows: 3, maxlength: 500, required: true, 'aria-describedby': `${id}-hint ${id}-error` });
  const error = h('p', { class: 'error', id: `${id}-error`, role: 'alert' });
  const ok = h('button', { type: 'submit', class: 'primary' }, confirm);
  async function submit(event) {
    event.preventDefault();
    const reason = input.value.trim();
    if (!reason) {
      error.textContent = `请填写${label}`;
      return input.focus();
    }
    ok.disabled = true;
    error.textContent = '';
    try {
      const failed = await action(reason);
      if (failed) error.textContent = failed;
      else fill(host);
    } finally {
      ok.disabled = false;
    }
  }
  fill(host, h('form', { class: 'confirm', onsubmit: submit, novalidate: true },
    h('div', { class: 'field' }, h('label', { for: id }, label, h('span', { class: 'req' }, ' *')), input,
      h('p', { class: 'hint', id: `${id}-hint` }, hint)),
    error,
    h('div', { class: 'actions' }, ok, h('button', { type: 'button', onclick: () => fill(host) }, '取消'))));
  input.focus();
}
