// After login: where to work, finding a resident, the one form, and (for community and street) the export panel.

import { gql, errorText, isOutage } from './api.js';
import { openDrafts } from './drafts.js';
import { openEditor } from './editor.js';
import { exportsPanel } from './exports.js';
import { h, fill, say } from './dom.js';
import { orgPicker } from './org-picker.js';
import { searchPanel } from './search.js';

const ONE_FORM = `{ oneForm { sections { key label fields { key label type required derived derivedFrom codeList options { code name }
  maxLength min max help onlyWhen forms { code name department } } } } }`;

/** What each role may do on this page (the server decides; this only hides what would be refused). */
export function abilities(role) {
  return {
    read: role !== 'department',
    write: ['grid_worker', 'community_staff', 'admin'].includes(role),
    export: ['community_staff', 'street_office', 'department'].includes(role),
    transfer: role === 'street_office', // moves residents between its communities; otherwise read-only
  };
}

/**
 * @param {{ dict: any, account: any }} o
 * @returns {Promise<{ el: HTMLElement, resumeDraft: () => Promise<void>, open?: (idNumber: string, focusField?: string) => Promise<void> }>}
 *   resumeDraft: once el is on the page; open: a resident in the one form (the work lists' way in)
 */
export async function workspaceView({ dict, account }) {
  const can = abilities(account.role);
  const el = h('div', { class: 'workspace' });
  if (!can.read) {
    el.className = 'workspace-single';
    // Departments pull their own forms; the one form and the ledger are not theirs to see.
    const unit = (await gql(`query ($c: String!) { orgUnit(code: $c) { code name level } }`, { c: account.orgUnitCode })).orgUnit;
    el.append(h('p', { class: 'panel notice' }, '部门账号只能导出本部门的表单（个人号码已脱敏），不能查看或修改台账。'), await exportsPanel({ unit }));
    return { el, resumeDraft: async () => {} };
  }
  const drafts = can.write ? openDrafts(account) : null;
  el.setAttribute('aria-busy', 'true'); // until a draft left unsaved is back on screen (resumeDraft)
  const { oneForm } = await gql(ONE_FORM);
  let choice = { scope: null, grid: null };
  const editorHost = h('div', { class: 'editor-host', id: 'editor' },
    h('div', { class: 'panel placeholder' }, h('p', {}, can.write ? '先选择网格，再查找居民或"登记新居民"。' : '选择区划，查找居民即可查看其信息。')));
  const picker = await orgPicker({ account, onChange: (c) => { choice = c; } });

  async function open(idNumber, focusField) {
    try {
      say('');
      await openEditor(editorHost, { dict, oneForm, account, can, drafts, idNumber, onOpen: open, focusField });
    } catch (e) {
      say(errorText(e), 'error');
    }
  }
  async function startNew() {
    if (!choice.grid) {
      say('请先选择网格：新居民将登记到该网格', 'error');
      return picker.el.querySelector('select:last-of-type')?.focus();
    }
    say('');
    await openEditor(editorHost, { dict, oneForm, account, can, drafts, gridCode: choice.grid.code, gridName: choice.grid.name, onOpen: open });
  }
  /** The form this account left unsaved in this tab (login expired, a reload, a failed save), as it was. */
  async function resumeDraft() {
    const draft = drafts?.data;
    if (!draft || !drafts.kept) return el.removeAttribute('aria-busy');
    try {
      await picker.choose(draft.gridCode);
      await openEditor(editorHost, { dict, oneForm, account, can, drafts, draft, onOpen: open });
    } catch (e) {
      if (e.code === 'UNAUTHENTICATED') return; // kept for the next login
      if (!isOutage(e)) drafts.update(() => null, true); // the resident is gone or out of reach: nothing to go back to
      say(`未能恢复未保存的内容：${errorText(e)}`, 'error');
    } finally {
      el.removeAttribute('aria-busy');
    }
  }

  const where = h('section', { class: 'panel where', 'aria-labelledby': 'where-title' }, h('h2', { id: 'where-title' }, '工作区域'), picker.el);
  const search = searchPanel({ scope: () => choice.scope, canWrite: can.write, onOpen: open, onNew: startNew });
  fill(el, where, search, editorHost);
  if (can.export && picker.top && picker.top.level !== 'grid') el.append(await exportsPanel({ unit: picker.top }));
  return { el, resumeDraft, open };
}
