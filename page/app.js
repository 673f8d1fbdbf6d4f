// The page's entry: the dictionary for the shared validator, then the login screen or the workspace.

import { gql, session, errorText } from './api.js';
import { loadDictionary } from './dictionary.js';
import { discardDrafts, flushDrafts, hasDraft } from './drafts.js';
import { h, fill, say } from './dom.js';
import { loginView } from './login.js';
import { withReporting } from './reporting.js';
import { templateTabs } from './template-draft.js';
import { workTabs } from './work-tabs.js';
import { workspaceView } from './workspace.js';

const root = document.getElementById('app');
const who = document.getElementById('who');
let dict;

function showLogin(message) {
  fill(who);
  say('');
  fill(root, loginView({ message, onLoggedIn: showWorkspace }));
  document.title = '登录 · 一表通';
}

/** Revokes the account's tokens on the server (all devices), then forgets this tab's token and unsaved drafts. */
async function logout() {
  const account = session.account();
  try {
    await gql('mutation { logout }');
  } catch {
    // already expired or offline: forgetting the token here is still a logout
  }
  discardDrafts(account);
  session.clear();
  showLogin('已退出登录');
}

async function showWorkspace(account) {
  fill(who, h('span', { class: 'who-name' }, account.displayName), h('span', { class: 'who-role' }, account.roleName),
    h('button', { type: 'button', class: 'link', id: 'logout', onclick: logout }, '退出'));
  fill(root, h('p', { class: 'muted loading' }, '正在载入…'));
  document.title = '一表通';
  try {
    const workspace = await workspaceView({ dict, account });
    const work = [...workTabs({ account, dict, open: (idNumber, field) => workspace.open(idNumber, field) }), ...templateTabs({ account, dict })];
    fill(root, await withReporting({ account, ledger: workspace.el, work }));
    await workspace.resumeDraft();
  } catch (e) {
    if (session.token()) fill(root, h('p', { class: 'panel error-block', role: 'alert' }, errorText(e)));
  }
}

const KEPT = '；您填写的内容已保留，重新登录后恢复';

window.addEventListener('ybt:logged-out', (e) => {
  const kept = flushDrafts(true); // for the same account's next login
  showLogin(kept ? e.detail + KEPT : e.detail);
});

try {
  dict = await loadDictionary();
  if (!session.token()) showLogin();
  else {
    // A token from earlier in this tab (a reload): still good? Expired or revoked ones go back to the login screen.
    const kept = hasDraft(session.account()) ? KEPT : '';
    const me = await gql('{ me { id username displayName role roleName orgUnitCode department fullValues } }').then((d) => d.me, (e) => e);
    if (!(me instanceof Error)) await showWorkspace(me);
    else {
      session.clear();
      showLogin(me.code === 'UNAUTHENTICATED' ? `登录已过期，请重新登录${kept}` : errorText(me));
    }
  }
} catch (e) {
  fill(root, h('p', { class: 'panel error-block', role: 'alert' }, `页面无法启动：${e.message}`));
}
