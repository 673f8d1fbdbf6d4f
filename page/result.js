// After a save: which department forms the resident appears in now, which they joined and which they left.

import { h } from './dom.js';

/** Key groups a grid worker visits: 独居老人, 孤寡老人, 易走失人员. */
export const KEY_GROUP_FORMS = new Set(['F01', 'F02', 'F03']);

/**
 * @param {{ title: string|null, version: number, before: any[]|null, after: any[], onExport?: (form: any) => void }} o
 *   before: the forms before the save (null: nothing to compare with, e.g. when opening a resident)
 */
export function formsPanel({ title, version, before, after, onExport }) {
  const had = new Set((before ?? []).map((f) => f.code));
  const has = new Set(after.map((f) => f.code));
  const left = (before ?? []).filter((f) => !has.has(f.code));
  const item = (f, badge) =>
    h('li', { class: `form-item${badge === '已离开' ? ' gone' : ''}`, dataset: { code: f.code } },
      h('span', { class: 'form-code' }, f.code),
      h('span', { class: 'form-name' }, f.name, h('small', {}, f.department)),
      badge ? h('span', { class: `badge ${badge === '新进入' ? 'badge-new' : 'badge-left'}` }, badge) : null,
      onExport && badge !== '已离开' ? h('button', { type: 'button', class: 'small', onclick: () => onExport(f), 'aria-label': `导出${f.name}` }, '导出') : null);
  return h('section', { class: 'panel result', 'aria-labelledby': 'result-title', tabindex: '-1' },
    title ? h('h2', { id: 'result-title' }, title, version ? h('small', {}, `第 ${version} 版`) : null) : null,
    h(title ? 'h3' : 'h2', title ? {} : { id: 'result-title' }, '现在出现在的表单'),
    after.length ? null : h('p', { class: 'muted' }, '现在不在任何部门表单中。'),
    after.length || left.length
      ? h('ul', { class: 'form-list' },
          after.map((f) => item(f, before && !had.has(f.code) ? '新进入' : null)),
          left.map((f) => item(f, '已离开')))
      : null,
    before && !left.length && after.every((f) => had.has(f.code)) && after.length ? h('p', { class: 'muted' }, '表单没有变化。') : null);
}
