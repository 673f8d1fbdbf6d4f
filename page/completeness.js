// 报送情况: for a street (or district) and a period, per form how many units were expected to report, how many
// did, were approved, returned, are late or on time, and who; the workbook of it; every report of the period at once.

import { gql, errorText } from './api.js';
import { download, h, fill, say } from './dom.js';
import { downloadWithToken, viewMessage } from './report-common.js';

const COMPLETENESS = `query ($org: String!, $period: String!) { reportingCompleteness(orgUnit: $org, period: $period) {
  code formName period periodLabel dueDate expected submitted approved returned pending overdue onTime
  units { orgUnitCode orgUnitName status statusName onTime overdue reportId } } }`;
const EXPORT_ALL = `mutation ($org: String!, $period: String!) { exportForm(code: "all", orgUnit: $org, period: $period) { url fileName rows } }`;

/** The counts in the order the workbook has them. */
const COUNTS = [['expected', '应报'], ['submitted', '已报'], ['approved', '已审核'], ['returned', '退回'], ['pending', '待报'], ['overdue', '逾期'], ['onTime', '按时']];

function formItem(f) {
  const units = f.units.map((u) => h('li', { dataset: { org: u.orgUnitCode, status: u.status } },
    h('span', { class: 'unit-name' }, u.orgUnitName), ' ',
    h('span', { class: `badge badge-${u.status}` }, u.statusName),
    u.overdue ? [' ', h('span', { class: 'badge badge-overdue' }, '已逾期')] : null,
    u.onTime ? h('small', { class: 'muted' }, ' 按时') : null));
  return h('li', { class: 'completeness-item', dataset: { code: f.code } },
    h('div', { class: 'report-head' },
      h('span', { class: 'form-code' }, f.code),
      h('span', { class: 'form-name' }, f.formName, h('small', {}, `${f.periodLabel} · 截止 ${f.dueDate}`))),
    h('dl', { class: 'counts' }, COUNTS.map(([key, name]) =>
      h('div', { class: `count count-${key}${key === 'overdue' && f.overdue ? ' late' : ''}`, dataset: { kind: key } }, h('dt', {}, name), h('dd', {}, String(f[key]))))),
    h('details', { class: 'units' }, h('summary', {}, `各单位（${f.units.length}）`), h('ul', {}, units)));
}

/**
 * @param {{ unit: { code: string, name: string } }} o  the street (or district) whose units report
 * @returns {{ el: HTMLElement, load: (period: string) => Promise<void> }}
 */
export function completenessView({ unit }) {
  const el = h('section', { class: 'panel completeness', 'aria-labelledby': 'completeness-title' });
  let period;

  async function workbook(button) {
    button.disabled = true;
    try {
      const query = new URLSearchParams({ orgUnit: unit.code, period });
      const name = await downloadWithToken(`/reporting/completeness.xlsx?${query}`, `${unit.name}报送情况-${period}.xlsx`);
      say(`正在下载 ${name}`, 'ok');
    } catch (e) {
      say(`未能下载报送情况：${errorText(e)}`, 'error');
    } finally {
      button.disabled = false;
    }
  }

  async function everything(button) {
    button.disabled = true;
    try {
      const { url, fileName, rows } = (await gql(EXPORT_ALL, { org: unit.code, period })).exportForm;
      download(url, fileName);
      say(`正在下载 ${fileName}（本期已报送和已审核的全部报表，共 ${rows} 行）`, 'ok');
    } catch (e) {
      say(`未能下载本期报表：${errorText(e)}`, 'error');
    } finally {
      button.disabled = false;
    }
  }

  async function load(p) {
    period = p;
    el.setAttribute('aria-busy', 'true');
    const heading = h('h2', { id: 'completeness-title' }, '报送情况', h('small', {}, unit.name));
    try {
      const forms = (await gql(COMPLETENESS, { org: unit.code, period })).reportingCompleteness;
      const sheet = h('button', { type: 'button', class: 'small' }, '下载报送情况（Excel）');
      sheet.addEventListener('click', () => workbook(sheet));
      const all = h('button', { type: 'button', class: 'small primary' }, '一次下载本期全部报表');
      all.addEventListener('click', () => everything(all));
      fill(el, heading,
        h('div', { class: 'actions' }, sheet, all),
        h('p', { class: 'hint' }, '"全部报表"：本期已报送和已审核的每张报表一个工作表（冻结的数据，填好填表人、审核人）。逾期：过截止日仍未报送或退回后未重报。'),
        forms.length ? h('ul', { class: 'completeness-list' }, forms.map(formItem)) : h('p', { class: 'muted' }, '本期没有应报的表单。'));
    } catch (e) {
      fill(el, heading, viewMessage(`无法载入报送情况：${errorText(e)}`, { error: true, retry: () => load(period) }));
    } finally {
      el.removeAttribute('aria-busy');
    }
  }
  return { el, load };
}
