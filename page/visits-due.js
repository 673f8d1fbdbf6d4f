// 本月待走访: the key-group residents of the account's area not yet visited in the month (overdue ones first), each with
// 记录走访 (the same visit form as in the ledger), and the visit coverage per grid (and community) for the month.

import { errorText, gql } from './api.js';
import { fill, h, say } from './dom.js';
import { loadStaff } from './editor.js';
import { addMonths, monthLabel, thisMonth } from './periods.js';
import { viewMessage } from './report-common.js';
import { visitPanel } from './visit.js';

const PAGE = 100;
const VISITS_DUE = `query ($org: String!, $month: String!, $after: String) { visitsDue(orgUnit: $org, month: $month, first: ${PAGE}, after: $after) {
  orgUnitName month totalCount pageInfo { hasNextPage endCursor } groups { name frequency }
  residents { idNumber name groups lastVisitDate overdue grid { code name communityName } }
  coverage { code name parentName due visited overdue ratio } communities { code name due visited overdue ratio } total { due visited overdue ratio } } }`;
const RESIDENT = `query ($id: String!) { resident(idNumber: $id) { idNumber name gridCode visits { id visitDate visitMethod disposition staff { staffName } } } }`;

const percent = (ratio) => (ratio === null ? '—' : `${Math.round(ratio * 100)}%`);

function coverageTable(rows, firstHeader, label = (c) => c.name) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'totals coverage' },
    h('thead', {}, h('tr', {}, [firstHeader, '应走访', '已走访', '逾期', '覆盖率'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows.map((c) => h('tr', { dataset: { code: c.code } },
      h('th', { scope: 'row' }, label(c)), h('td', {}, String(c.due)), h('td', {}, String(c.visited)), h('td', { class: c.overdue ? 'late' : null }, String(c.overdue)),
      h('td', {}, h('span', { class: 'ratio' }, h('span', { class: 'track', 'aria-hidden': 'true' }, h('span', { class: 'bar', style: `width: ${c.ratio === null ? 0 : Math.round(c.ratio * 100)}%` })), percent(c.ratio))))))));
}

/**
 * @param {{ unitCode: string, dict: any, account: any, canWrite: boolean }} o
 * @returns {{ el: HTMLElement, load: () => Promise<void> }}
 */
export function visitsDueView({ unitCode, dict, account, canWrite }) {
  const el = h('section', { class: 'panel visits-due', 'aria-labelledby': 'visits-due-title' });
  const now = thisMonth();
  const select = h('select', { id: 'visits-month' }, Array.from({ length: 7 }, (_, i) => addMonths(now, -i)).map((m) => h('option', { value: m }, `${monthLabel(m)}${m === now ? '（本月）' : ''}`)));
  select.addEventListener('change', () => load());
  const monthField = h('div', { class: 'field period-field' }, h('label', { for: 'visits-month' }, '月份'), select);
  const list = h('ul', { class: 'due-list' });
  const more = h('button', { type: 'button', class: 'small', hidden: true }, '显示更多');
  let cursor = null;

  /** 记录走访 under the resident's line: the ledger's visit form, with their visit history. */
  async function record(r, li, button) {
    li.querySelector('.visit')?.remove();
    button.disabled = true;
    try {
      const [{ resident }, staff] = await Promise.all([gql(RESIDENT, { id: r.idNumber }), loadStaff(r.grid.code)]);
      const panel = visitPanel({
        dict, resident, staff, account, draft: null, onDraft: () => {}, idPrefix: `due-${li.dataset.row}`,
        onRecorded: () => load(),
      });
      li.append(panel);
      panel.querySelector('select, input')?.focus();
    } catch (e) {
      say(errorText(e), 'error');
    } finally {
      button.disabled = false;
    }
  }

  let rowSeq = 0;
  const item = (r) => {
    const button = h('button', { type: 'button', class: 'small primary' }, '记录走访');
    const li = h('li', { class: 'due-item', dataset: { idNumber: r.idNumber, row: String(++rowSeq) } },
      h('div', { class: 'report-head' },
        h('strong', {}, r.name),
        r.overdue ? h('span', { class: 'badge badge-overdue' }, '逾期') : null,
        h('span', { class: 'muted' }, `${r.grid.communityName}${r.grid.name}`),
        h('span', {}, r.groups.join('、'))),
      h('p', { class: 'report-facts' }, r.lastVisitDate ? `上次走访 ${r.lastVisitDate}` : '从未走访'),
      canWrite ? h('div', { class: 'actions' }, button) : null);
    button.addEventListener('click', () => record(r, li, button));
    return li;
  };

  more.addEventListener('click', async () => {
    more.disabled = true;
    try {
      const data = (await gql(VISITS_DUE, { org: unitCode, month: select.value, after: cursor })).visitsDue;
      cursor = data.pageInfo.endCursor;
      more.hidden = !data.pageInfo.hasNextPage;
      list.append(...data.residents.map(item));
    } catch (e) {
      say(`无法载入更多：${errorText(e)}`, 'error');
    } finally {
      more.disabled = false;
    }
  });

  async function load() {
    el.setAttribute('aria-busy', 'true');
    const month = select.value;
    const title = month === now ? '本月待走访' : `${monthLabel(month)}待走访`;
    try {
      const data = (await gql(VISITS_DUE, { org: unitCode, month, after: null })).visitsDue;
      cursor = data.pageInfo.endCursor;
      more.hidden = !data.pageInfo.hasNextPage;
      fill(list, data.residents.map(item));
      const t = data.total;
      fill(el, h('h2', { id: 'visits-due-title' }, title, h('small', {}, `${data.orgUnitName} · 应走访 ${t.due}，已走访 ${t.visited}，覆盖率 ${percent(t.ratio)}`)),
        monthField,
        h('p', { class: 'hint' }, `${data.groups.map((g) => `${g.name}${g.frequency === 'month' ? '每月' : g.frequency === 'quarter' ? '每季度' : '每年'}`).join('、')}走访一次。逾期：上一期也没有走访。`),
        // A street's grids are named within their community (every community has a 第一网格).
        data.coverage.length > 1 ? [h('h3', {}, '各网格走访覆盖'), coverageTable(data.coverage, '网格', data.communities.length > 1 ? (c) => `${c.parentName}${c.name}` : undefined)] : null,
        data.communities.length > 1 ? [h('h3', {}, '各社区走访覆盖'), coverageTable(data.communities, '社区')] : null,
        h('h3', {}, `尚未走访（${data.totalCount}）`),
        data.residents.length ? list : h('p', { class: 'muted' }, '都已走访。'), more);
    } catch (e) {
      fill(el, h('h2', { id: 'visits-due-title' }, title), monthField, viewMessage(`无法载入待走访：${errorText(e)}`, { error: true, retry: load }));
    } finally {
      el.removeAttribute('aria-busy');
    }
  }
  return { el, load };
}
