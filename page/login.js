// The login screen.

import { ApiError, errorText, gql, session } from './api.js';
import { h } from './dom.js';

const LOGIN = `mutation ($u: String!, $p: String!) { login(username: $u, password: $p) {
  token expiresAt account { id username displayName role roleName orgUnitCode department fullValues } } }`;

/** @param {{ message?: string, onLoggedIn: (account: any) => void }} o */
export function loginView({ message, onLoggedIn }) {
  const error = h('p', { class: 'error', id: 'login-error', role: 'alert' }, message ?? '');
  const user = h('input', { id: 'login-username', name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false', 'aria-describedby': 'login-error' });
  const pass = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true, 'aria-describedby': 'login-error' });
  const button = h('button', { type: 'submit', class: 'primary wide' }, '登录');

  async function submit(event) {
    event.preventDefault();
    if (!user.value.trim() || !pass.value) {
      error.textContent = '请输入用户名和密码';
      return (user.value.trim() ? pass : user).focus();
    }
    button.disabled = true;
    error.textContent = '';
    try {
      const { token, account } = (await gql(LOGIN, { u: user.value.trim(), p: pass.value })).login;
      session.save(token, account);
      onLoggedIn(account);
    } catch (e) {
      // The server's words: its message states the very retryAfterSeconds it sends, so page and API say the same wait.
      error.textContent = e instanceof ApiError && (e.code === 'RATE_LIMITED' || e.code === 'LOGIN_FAILED') ? e.message : errorText(e);
      pass.select();
    } finally {
      button.disabled = false;
    }
  }

  const view = h('section', { class: 'login panel', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, '登录一表通'),
    h('p', { class: 'muted' }, '社区工作者、网格员：每位居民的信息只录入一次，各部门表单自动更新。'),
    h('form', { onsubmit: submit, novalidate: true },
      h('div', { class: 'field' }, h('label', { for: 'login-username' }, '用户名'), user),
      h('div', { class: 'field' }, h('label', { for: 'login-password' }, '密码'), pass),
      error, button));
  queueMicrotask(() => user.focus());
  return view;
}
