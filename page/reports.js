// 本期报表: the reports an org unit fills itself for a period (a community's forms, a street's summary), with their
// state, a preview, 报送 (after a confirmation) and the export of what was submitted.

import { gql, errorText } from './api.js';
import { h, fill, say } from './dom.js';
import { REPORTS, REPORT_FIELDS, REVIEWERS, exportReport, reportFacts, sendOnce, statusBadges, stepFailedText, viewMessage } from './report-common.js';
import { confirmIn } from './report-dialogs.js';
import { previewToggle } from './report-preview.js';

const SUBMIT = `mutation ($code: String!, $org: String!, $period: String!) { submitReport(code: $code, orgUnit: $org, period: $period) { ${REPORT_FIELDS} } }`;

/** A street summary refused until its communities are approved: which, and in what state (extensions.missing). */
function missingTable(missing, forms) {
  return h('div', { class: 'missing', role: 'alert' },
    h('p', {}, h('strong', {}, `以下 ${missing.length} 张社区报表尚未审核通过，汇总表暂不能报送：`)),
    h('div', { class: 'scroll-x' },
      h('table', { class: 'compare' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '社区'), h('th', { scope: 'col' }, '表单'), h('th', { scope: 'col' }, '状态'))),
        h('tbody', {}, missing.map((m) => h('tr', {}, h('td', {}, m.orgUnitName), h('td', {}, `${m.code} ${forms.get(m.code)?.name ?? ''}`), h('td', {}, m.status)))))));
}

/**
 * @param {{ unitCode: string, title: string, forms: Map<string, any>, empty?: string }} o
 *   unitCode: the org unit whose own reports these are; forms: the templates by code (names, who reviews)
 * @returns {{ el: HTMLElement, load: (period: string) => Promise<void> }}
 */
export function ownReportsView({ unitCode, title, forms, empty = '本期没有需要本单位报送的表单。' }) {
  const el = h('section', { class: 'panel reports', 'aria-labelledby': `${unitCode}-reports-title` });
  let period;

  async function submit(r, notes) {
    const verb = r.status === 'returned' ? '重新报送' : '报送';
    try {
      const done = (await sendOnce(`submit:${r.code}:${r.orgUnitCode}:${r.period}`, SUBMIT, { code: r.code, org: r.orgUnitCode, period: r.period })).submitReport;
      say(`已${verb} ${done.code} ${done.formName}（${done.periodLabel}，${done.rowCount} 行），等待${REVIEWERS[forms.get(r.code)?.reviewedBy] ?? '上级'}审核`, 'ok');
      await load(period);
      return null;
    } catch (e) {
      if (e.code === 'COMMUNITY_REPORTS_NOT_APPROVED' && e.extensions.missing) fill(notes, missingTable(e.extensions.missing, forms));
      const text = stepFailedText(e, verb);
      say(text, 'error');
      // Someone else moved it meanwhile: show the state it is in now (the status bar keeps the message).
      if (e.code === 'ALREADY_SUBMITTED' || e.code === 'REPORT_LOCKED') return void (await load(period));
      return text;
    }
  }

  function item(r) {
    const notes = h('div', { class: 'report-notes' });
    const confirmHost = h('div', { class: 'confirm-host' });
    const preview = previewToggle(r);
    const reviewer = REVIEWERS[forms.get(r.code)?.reviewedBy] ?? '上级';
    const submitButton = r.canSubmit
      ? h('button', { type: 'button', class: 'small primary', 'aria-label': `${r.status === 'returned' ? '重新报送' : '报送'}${r.formName}` }, r.status === 'returned' ? '重新报送' : '报送')
      : null;
    submitButton?.addEventListener('click', () => confirmIn(confirmHost, {
      text: `报送 ${r.code} ${r.formName}（${r.periodLabel}）？报送时按当前台账冻结本期数据，部门以此为准；交${reviewer}审核，审核前不能再改报。`,
      confirm: '确认报送',
      action: () => submit(r, notes),
    }));
    const exportButton = r.status === 'submitted' || r.status === 'approved'
      ? h('button', { type: 'button', class: 'small', 'aria-label': `导出${r.formName}` }, '导出')
      : null;
    exportButton?.addEventListener('click', () => exportReport(r, exportButton));
    return h('li', { class: `report-item status-${r.status}`, dataset: { code: r.code, status: r.status } },
      h('div', { class: 'report-head' },
        h('span', { class: 'form-code' }, r.code),
        h('span', { class: 'form-name' }, r.formName, h('small', {}, r.periodLabel)),
        h('span', { class: 'report-badges' }, statusBadges(r))),
      reportFacts(r),
      h('div', { class: 'actions' }, preview.button, submitButton, exportButton),
      confirmHost, notes, preview.host);
  }

  function summary(list) {
    const count = (s) => list.filter((r) => r.status === s).length;
    const late = list.filter((r) => r.overdue).length;
    return h('p', { class: 'report-summary' },
      `共 ${list.length} 张：待报 ${count('pending')} · 已报 ${count('submitted')} · 已审核 ${count('approved')} · 退回 ${count('returned')}`,
      late ? h('strong', { class: 'late' }, ` · 逾期 ${late}`) : null);
  }

  async function load(p) {
    period = p;
    el.setAttribute('aria-busy', 'true');
    try {
      const list = (await gql(REPORTS, { org: unitCode, period })).reports.filter((r) => r.orgUnitCode === unitCode);
      fill(el, h('h2', { id: `${unitCode}-reports-title` }, title),
        list.length ? [summary(list), h('ul', { class: 'report-list' }, list.map(item))] : h('p', { class: 'muted' }, empty));
    } catch (e) {
      fill(el, h('h2', { id: `${unitCode}-reports-title` }, title), viewMessage(`无法载入报表：${errorText(e)}`, { error: true, retry: () => load(period) }));
    } finally {
      el.removeAttribute('aria-busy');
    }
  }
  return { el, load };
}
