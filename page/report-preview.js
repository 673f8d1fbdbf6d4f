// A report's first rows in a small table: the frozen rows once submitted, the live ledger before (formView with period).

import { errorText, gql } from './api.js';
import { h, fill } from './dom.js';
import { shownTime } from './periods.js';

const VIEW = `query ($code: String!, $org: String!, $period: String!, $first: Int) {
  formView(code: $code, orgUnit: $org, period: $period, first: $first) {
    totalCount columns { key header } rows totals report { status submittedBy submittedAt reviewedBy reviewedAt rowCount } } }`;
const ROWS = 10;

const cell = (v) => (v === null || v === undefined ? '' : v === true ? '是' : v === false ? '否' : String(v));

/** Where the rows come from: a frozen report (and who signed it) or today's ledger. */
function source(view) {
  const r = view.report;
  if (!r) return '尚未报送：以下为该报送期的实时台账，报送时按报送那一刻冻结';
  const who = [`填表人 ${r.submittedBy ?? ''}（${shownTime(r.submittedAt)}）`];
  if (r.status === 'approved') who.push(`审核人 ${r.reviewedBy ?? ''}（${shownTime(r.reviewedAt)}）`);
  return `${r.status === 'approved' ? '已审核' : '已报'}的冻结数据（${r.rowCount} 行）· ${who.join(' · ')}`;
}

/** The table of the first ROWS rows of a report (r: code, orgUnitCode, period). */
export async function previewTable(r, caption) {
  const view = (await gql(VIEW, { code: r.code, org: r.orgUnitCode, period: r.period, first: ROWS })).formView;
  const head = view.columns.map((c) => h('th', { scope: 'col', title: c.header.join(' / ') }, c.header.at(-1)));
  const body = view.rows.map((row) => h('tr', {}, row.map((v) => h('td', {}, cell(v)))));
  const totals = view.totals ? h('tr', { class: 'totals' }, view.totals.map((v) => h('td', {}, cell(v)))) : null;
  return h('div', { class: 'preview' },
    h('p', { class: 'hint' }, source(view)),
    view.rows.length
      ? h('div', { class: 'scroll-x', tabindex: '0', role: 'region', 'aria-label': `${caption}（可左右滑动）` },
          h('table', { class: 'preview-table' },
            h('caption', { class: 'visually-hidden' }, caption),
            h('thead', {}, h('tr', {}, head)),
            h('tbody', {}, body, totals)))
      : h('p', { class: 'muted' }, '本期没有数据行。'),
    view.totalCount > view.rows.length ? h('p', { class: 'hint' }, `共 ${view.totalCount} 行，显示前 ${view.rows.length} 行；完整内容请导出。`) : null);
}

/**
 * A 预览 button and the place the table opens under it; a second press closes it. A failure is shown there, with
 * the server's message.
 * @returns {{ button: HTMLButtonElement, host: HTMLElement }}
 */
export function previewToggle(r, { label = '预览', caption = `${r.orgUnitName} ${r.formName} ${r.periodLabel}` } = {}) {
  const host = h('div', { class: 'preview-host', hidden: true });
  const button = h('button', { type: 'button', class: 'small', 'aria-expanded': 'false', 'aria-label': `${label}：${caption}` }, label);
  button.addEventListener('click', async () => {
    if (button.getAttribute('aria-expanded') === 'true') {
      host.hidden = true;
      return button.setAttribute('aria-expanded', 'false');
    }
    button.disabled = true;
    fill(host, h('p', { class: 'muted' }, '正在载入…'));
    host.hidden = false;
    try {
      fill(host, await previewTable(r, caption));
      button.setAttribute('aria-expanded', 'true');
    } catch (e) {
      fill(host, h('p', { class: 'error', role: 'alert' }, `无法预览：${errorText(e)}`));
    } finally {
      button.disabled = false;
    }
  });
  return { button, host };
}
