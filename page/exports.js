// Department forms of the account's community or street, each with an export button (Excel in the department's layout).

import { gql, errorText } from './api.js';
import { download, h, say } from './dom.js';
import { todayIso } from '/page/shared/identity/index.js';

const TEMPLATES = `{ templates { code name department summary period } }`;
const EXPORT = `mutation ($code: String!, $org: String!, $date: String) { exportForm(code: $code, orgUnit: $org, date: $date) { url fileName rows } }`;
const TITLES = { street: '本街道表单', community: '本社区表单', district: '本区表单' };

/** @param {{ unit: { code: string, name: string, level: string } }} o */
export async function exportsPanel({ unit }) {
  const templates = (await gql(TEMPLATES)).templates;
  const date = h('input', { id: 'export-date', type: 'date', value: todayIso(), max: todayIso(), 'aria-describedby': 'export-date-hint' });

  async function exportOne(t, button) {
    button.disabled = true;
    try {
      // Monthly forms (走访记录) take the month of the chosen date.
      const day = date.value || todayIso();
      const { url, fileName, rows } = (await gql(EXPORT, { code: t.code, org: unit.code, date: t.period === 'month' ? day.slice(0, 7) : day })).exportForm;
      download(url, fileName);
      say(`正在下载 ${fileName}（${rows} 行）`, 'ok');
    } catch (e) {
      say(errorText(e), 'error');
    } finally {
      button.disabled = false;
    }
  }

  const row = (t) => {
    const button = h('button', { type: 'button', class: 'small', 'aria-label': `导出${t.name}` }, '导出');
    button.addEventListener('click', () => exportOne(t, button));
    return h('li', { class: 'form-item', dataset: { code: t.code } },
      h('span', { class: 'form-code' }, t.code),
      h('span', { class: 'form-name' }, t.name, h('small', {}, `${t.department}${t.summary ? ' · 汇总表' : ''}${t.period === 'month' ? ' · 按月' : ''}`)),
      button);
  };
  return h('section', { class: 'panel exports', 'aria-labelledby': 'exports-title' },
    h('h2', { id: 'exports-title' }, TITLES[unit.level] ?? '部门表单', h('small', {}, unit.name)),
    h('div', { class: 'field' }, h('label', { for: 'export-date' }, '统计日期'), date,
      h('p', { class: 'hint', id: 'export-date-hint' }, unit.level === 'street' ? '按各部门表样导出 Excel：每个社区一张表，另加街道汇总表' : '按各部门表样导出 Excel')),
    h('ul', { class: 'form-list' }, templates.map(row)));
}
