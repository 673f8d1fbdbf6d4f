// 待完善: residents of the account's area with facts missing in the department forms they appear in, nearest due date
// first; a click opens the resident in the one form at the missing fact. Totals per grid (and community) above.

import { errorText, gql } from './api.js';
import { fill, h } from './dom.js';
import { viewMessage } from './report-common.js';

const PAGE = 50;
const WORK_LIST = `query ($org: String!, $after: String) { workList(orgUnit: $org, first: ${PAGE}, after: $after) {
  orgUnitName asOf totalCount pageInfo { hasNextPage endCursor }
  items { idNumber name dueDate grid { code name communityName } forms { code name dueDate missing { field label } } }
  grids { grid { code name communityCode communityName } residents forms fields } } }`;

/** Grid rows, with a subtotal per community when there are several communities (a street). */
function totalsTable(grids, several) {
  const row = (name, t, cls) => h('tr', { class: cls }, h('th', { scope: 'row' }, name), h('td', {}, String(t.residents)), h('td', {}, String(t.forms)), h('td', {}, String(t.fields)));
  const rows = [];
  const communities = [...new Set(grids.map((g) => g.grid.communityCode))];
  for (const code of communities) {
    const inside = grids.filter((g) => g.grid.communityCode === code);
    if (several) {
      const sum = inside.reduce((a, g) => ({ residents: a.residents + g.residents, forms: a.forms + g.forms, fields: a.fields + g.fields }), { residents: 0, forms: 0, fields: 0 });
      rows.push(row(inside[0].grid.communityName, sum, 'subtotal'));
    }
    rows.push(...inside.map((g) => h('tr', { dataset: { grid: g.grid.code } }, h('th', { scope: 'row' }, g.grid.name), h('td', {}, String(g.residents)), h('td', {}, String(g.forms)), h('td', {}, String(g.fields)))));
  }
  return h('div', { class: 'table-wrap' }, h('table', { class: 'totals' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, several ? '社区 / 网格' : '网格'), h('th', { scope: 'col' }, '待完善居民'), h('th', { scope: 'col' }, '涉及表单'), h('th', { scope: 'col' }, '空项'))),
    h('tbody', {}, rows)));
}

/**
 * @param {{ unitCode: string, open: (idNumber: string, field: string) => Promise<void> }} o
 *   open: the resident in the one form, the cursor in that field
 * @returns {{ el: HTMLElement, load: () => Promise<void> }}
 */
export function workListView({ unitCode, open }) {
  const el = h('section', { class: 'panel work-list', 'aria-labelledby': 'work-list-title' });
  const list = h('ul', { class: 'work-items' });
  const more = h('button', { type: 'button', class: 'small', hidden: true }, '显示更多');
  let cursor = null;

  const go = (idNumber, field) => {
    el.dispatchEvent(new CustomEvent('ybt:show-tab', { detail: 'ledger', bubbles: true }));
    return open(idNumber, field);
  };
  const item = (r) => h('li', { class: 'work-item', dataset: { idNumber: r.idNumber } },
    h('div', { class: 'report-head' },
      h('button', { type: 'button', class: 'link person', onclick: () => go(r.idNumber, r.forms[0].missing[0].field), 'aria-label': `${r.name}：打开一表通，从"${r.forms[0].missing[0].label}"填起` }, r.name),
      h('span', { class: 'muted' }, `${r.grid.communityName}${r.grid.name}`),
      h('span', { class: 'due' }, `截止 ${r.dueDate}`)),
    h('ul', { class: 'work-forms' }, r.forms.map((f) => h('li', { dataset: { code: f.code } },
      h('span', { class: 'form-code' }, f.code), ' ', h('span', {}, f.name), h('small', { class: 'muted' }, ` 截止 ${f.dueDate}`),
      h('div', { class: 'gap-fields' }, f.missing.map((m) => h('button', { type: 'button', class: 'chip', dataset: { field: m.field }, onclick: () => go(r.idNumber, m.field) }, m.label)))))));

  async function page(first) {
    const data = (await gql(WORK_LIST, { org: unitCode, after: first ? null : cursor })).workList;
    cursor = data.pageInfo.endCursor;
    more.hidden = !data.pageInfo.hasNextPage;
    return data;
  }

  more.addEventListener('click', async () => {
    more.disabled = true;
    try {
      list.append(...(await page(false)).items.map(item));
    } catch (e) {
      more.after(viewMessage(`无法载入更多：${errorText(e)}`, { error: true }));
    } finally {
      more.disabled = false;
    }
  });

  async function load() {
    el.setAttribute('aria-busy', 'true');
    const heading = h('h2', { id: 'work-list-title' }, '待完善');
    try {
      const data = await page(true);
      const several = new Set(data.grids.map((g) => g.grid.communityCode)).size > 1;
      fill(list, data.items.map(item));
      fill(el, h('h2', { id: 'work-list-title' }, '待完善', h('small', {}, `${data.orgUnitName} · ${data.totalCount} 位居民的表单有空项（${data.asOf}）`)),
        h('p', { class: 'hint' }, '各部门表单中空着、可以填写的项。截止日近的在前；点姓名或某一项，打开一表通从该项填起，保存后即离开名单。'),
        data.grids.length > 1 ? totalsTable(data.grids, several) : null,
        data.items.length ? list : h('p', { class: 'muted' }, '没有待完善的居民。'), more);
    } catch (e) {
      fill(el, heading, viewMessage(`无法载入待完善：${errorText(e)}`, { error: true, retry: load }));
    } finally {
      el.removeAttribute('aria-busy');
    }
  }
  return { el, load };
}
