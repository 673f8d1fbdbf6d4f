// 已收到: a department's approved reports of its forms in its area for a period, each with a preview and an export
// (the frozen rows the reviewer approved, 填表人 and 审核人 filled).

import { gql, errorText } from './api.js';
import { h, fill } from './dom.js';
import { REPORTS, exportReport, reportFacts, statusBadges, viewMessage } from './report-common.js';
import { previewToggle } from './report-preview.js';

function item(r) {
  const preview = previewToggle(r);
  const exportButton = h('button', { type: 'button', class: 'small primary', 'aria-label': `导出${r.orgUnitName}${r.formName}` }, '导出');
  exportButton.addEventListener('click', () => exportReport(r, exportButton));
  return h('li', { class: 'report-item status-approved', dataset: { code: r.code, org: r.orgUnitCode } },
    h('div', { class: 'report-head' },
      h('span', { class: 'form-code' }, r.code),
      h('span', { class: 'form-name' }, h('strong', {}, r.orgUnitName), ' ', r.formName, h('small', {}, r.periodLabel)),
      h('span', { class: 'report-badges' }, statusBadges(r))),
    reportFacts(r, { due: false }),
    h('div', { class: 'actions' }, preview.button, exportButton),
    preview.host);
}

/**
 * @param {{ unitCode: string }} o  the department's area
 * @returns {{ el: HTMLElement, load: (period: string) => Promise<void> }}
 */
export function receivedView({ unitCode }) {
  const el = h('section', { class: 'panel received', 'aria-labelledby': 'received-title' });
  let period;

  async function load(p) {
    period = p;
    el.setAttribute('aria-busy', 'true');
    const heading = h('h2', { id: 'received-title' }, '已收到', h('small', {}, '本部门表单中已审核通过的报表'));
    try {
      const all = (await gql(REPORTS, { org: unitCode, period })).reports;
      const approved = all.filter((r) => r.status === 'approved');
      const waiting = all.filter((r) => r.status === 'submitted').length;
      const missing = all.filter((r) => r.status === 'pending' || r.status === 'returned').length;
      fill(el, heading,
        h('p', { class: 'report-summary' }, `应报 ${all.length} 张：已审核 ${approved.length} · 已报待审核 ${waiting} · 未报或退回 ${missing}`),
        approved.length ? h('ul', { class: 'report-list' }, approved.map(item)) : h('p', { class: 'muted' }, '本期还没有审核通过的报表。'));
    } catch (e) {
      fill(el, heading, viewMessage(`无法载入已收到的报表：${errorText(e)}`, { error: true, retry: () => load(period) }));
    } finally {
      el.removeAttribute('aria-busy');
    }
  }
  return { el, load };
}
