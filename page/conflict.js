// Someone else saved first: their values beside yours, and a way to go on from theirs without retyping.

import { h } from './dom.js';
import { shownValue } from './dictionary.js';
import { recordOf } from './one-form.js';

const same = (a, b) => (a ?? null) === (b ?? null) || String(a ?? '') === String(b ?? '');

/**
 * @param {{ dict: any, fields: any[], staff: any[], base: Record<string, any>, baseVersion: number, mine: Record<string, any>,
 *           current: Record<string, any>, currentVersion: number, onMerge: () => void, onDiscard: () => void }} o
 */
export function conflictPanel({ dict, fields, staff, base, baseVersion, mine, current, currentVersion, onMerge, onDiscard }) {
  const now = recordOf(fields, current);
  const rows = fields
    .filter((f) => !f.derived && (f.key in mine || !same(now[f.key], base[f.key])))
    .map((f) => {
      const def = dict.byKey.get(f.key);
      const yours = f.key in mine ? mine[f.key] : base[f.key];
      const theirsChanged = !same(now[f.key], base[f.key]);
      const clash = f.key in mine && theirsChanged && !same(yours, now[f.key]);
      return h('tr', { class: clash ? 'clash' : theirsChanged ? 'theirs' : null },
        h('th', { scope: 'row' }, f.label, clash ? h('span', { class: 'badge badge-left' }, '都改了') : null),
        h('td', {}, shownValue(dict, def, yours, staff)),
        h('td', {}, shownValue(dict, def, now[f.key], staff)));
    });
  const panel = h('section', { class: 'panel conflict', role: 'alert', 'aria-labelledby': 'conflict-title' },
    h('h2', { id: 'conflict-title' }, '该居民信息已被他人修改'),
    h('p', {}, `您打开的是第 ${baseVersion} 版，保存前已有人保存为第 ${currentVersion} 版。您的修改尚未保存。请对照下表：`),
    h('div', { class: 'table-wrap' },
      h('table', { class: 'compare' },
        h('caption', { class: 'visually-hidden' }, '您填写的与当前保存的对照'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '字段'), h('th', { scope: 'col' }, '您填写的'), h('th', { scope: 'col' }, '当前保存的'))),
        h('tbody', {}, rows))),
    h('p', { class: 'hint' }, '"采用当前值并套用我的修改"：表单先换成当前保存的内容，再填回您改过的字段，核对后再点"保存"。'),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'primary', onclick: onMerge }, '采用当前值并套用我的修改'),
      h('button', { type: 'button', onclick: onDiscard }, '放弃我的修改')));
  return panel;
}
