// 待审核: the reports the account reviews (a street its communities', a district department a street's summary):
// approve, return with a reason, reopen an approved one; beside each, the same form's previous period to compare.

import { gql, errorText } from './api.js';
import { h, fill, say } from './dom.js';
import { previousPeriod } from './periods.js';
import { REPORTS, REPORT_FIELDS, exportReport, reportFacts, sendOnce, statusBadges, stepFailedText, viewMessage } from './report-common.js';
import { reasonIn } from './report-dialogs.js';
import { previewToggle } from './report-preview.js';

const APPROVE = `mutation ($id: Int!) { approveReport(id: $id) { ${REPORT_FIELDS} } }`;
const RETURN = `mutation ($id: Int!, $reason: String!) { returnReport(id: $id, reason: $reason) { ${REPORT_FIELDS} } }`;
const REOPEN = `mutation ($id: Int!, $reason: String!) { reopenReport(id: $id, reason: $reason) { ${REPORT_FIELDS} } }`;
// changedSince compares the frozen rows with the ledger now: slow, so one report at a time and only when asked.
const CHANGES = `query ($id: Int!) { report(id: $id) { changedSince { entered left changed } } }`;

const slotKey = (code, org, period) => `${code}|${org}|${period}`;

/**
 * The previous period's reports of the forms and org units in `list`, by slotKey. Each form keeps its frequency
 * (a monthly form's previous month, a quarterly form's previous quarter): one query per distinct previous period.
 */
async function previousReports(unitCode, list) {
  const keys = [...new Set(list.map((r) => previousPeriod(r.period)))];
  const answers = await Promise.all(keys.map((period) => gql(REPORTS, { org: unitCode, period }).then((d) => d.reports)));
  return new Map(answers.flat().map((r) => [slotKey(r.code, r.orgUnitCode, r.period), r]));
}

/** 上期: its state and rows, its preview on demand. */
function previousLine(r, previous) {
  if (previous === null) return h('p', { class: 'previous muted' }, '上期报表无法载入');
  const p = previous.get(slotKey(r.code, r.orgUnitCode, previousPeriod(r.period)));
  if (!p) return h('p', { class: 'previous muted' }, '上期：没有这张报表');
  const frozen = p.status === 'submitted' || p.status === 'approved';
  const preview = frozen ? previewToggle(p, { label: '预览上期' }) : null;
  return h('div', { class: 'previous' },
    h('p', {}, h('span', { class: 'muted' }, `上期（${p.periodLabel}）：`), h('span', { class: `badge badge-${p.status}` }, p.statusName),
      frozen ? ` ${p.rowCount} 行（本期 ${r.rowCount} 行）` : ' 未报送', preview?.button ? [' ', preview.button] : null),
    preview?.host);
}

/** How the ledger moved since the report was frozen, asked for one report. */
function changesButton(r) {
  const out = h('span', { class: 'changes', 'aria-live': 'polite' });
  const button = h('button', { type: 'button', class: 'small link-like' }, '核对报送以来台账的变化');
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const c = (await gql(CHANGES, { id: r.id })).report.changedSince;
      out.textContent = !c ? '无冻结数据' : c.entered + c.left + c.changed === 0
        ? '报送以来台账没有变化'
        : `报送以来台账：新进入 ${c.entered} 行 · 离开 ${c.left} 行 · 内容有变 ${c.changed} 行`;
    } catch (e) {
      out.textContent = `无法核对：${errorText(e)}`;
    } finally {
      button.disabled = false;
    }
  });
  return h('p', { class: 'hint' }, button, ' ', out);
}

/**
 * @param {{ unitCode: string, title?: string }} o  unitCode: the reviewer's org unit
 * @returns {{ el: HTMLElement, load: (period: string) => Promise<void> }}
 */
export function reviewView({ unitCode, title = '待审核' }) {
  const el = h('section', { class: 'panel review', 'aria-labelledby': 'review-title' });
  let period;

  /** Runs a step; answers an error message (shown where the step was asked for), or null once done and reloaded. */
  async function step(name, query, variables, done, verb) {
    try {
      const r = Object.values(await sendOnce(`${name}:${variables.id}`, query, variables))[0];
      say(done(r), 'ok');
      await load(period);
      return null;
    } catch (e) {
      const text = stepFailedText(e, verb);
      say(text, 'error');
      return text;
    }
  }

  function item(r, previous) {
    const host = h('div', { class: 'confirm-host' });
    const notes = h('div', { class: 'report-notes' });
    const preview = previewToggle(r);
    const label = `${r.orgUnitName}${r.formName}`;
    const buttons = [preview.button];
    if (r.status === 'submitted') {
      const approve = h('button', { type: 'button', class: 'small primary', 'aria-label': `审核通过：${label}` }, '审核通过');
      approve.addEventListener('click', async () => {
        approve.disabled = true;
        const failed = await step('approve', APPROVE, { id: r.id }, (d) => `已审核通过 ${d.orgUnitName} ${d.code} ${d.formName}（${d.periodLabel}），报表已锁定`, '审核');
        approve.disabled = false;
        if (failed) fill(notes, h('p', { class: 'error', role: 'alert' }, failed));
      });
      const back = h('button', { type: 'button', class: 'small', 'aria-label': `退回：${label}` }, '退回');
      back.addEventListener('click', () => reasonIn(host, {
        label: '退回原因', hint: `${r.orgUnitName}将看到这段话，改正后重新报送`, confirm: '确认退回',
        action: (reason) => step('return', RETURN, { id: r.id, reason }, (d) => `已退回 ${d.orgUnitName} ${d.code} ${d.formName}`, '退回'),
      }));
      buttons.push(approve, back);
    }
    if (r.status === 'approved') {
      const reopen = h('button', { type: 'button', class: 'small', 'aria-label': `重新打开：${label}` }, '重新打开');
      reopen.addEventListener('click', () => reasonIn(host, {
        label: '重新打开的原因', hint: `报表解锁并退回${r.orgUnitName}修改，重新报送后再审核`, confirm: '确认重新打开',
        action: (reason) => step('reopen', REOPEN, { id: r.id, reason }, (d) => `已重新打开 ${d.orgUnitName} ${d.code} ${d.formName}，退回修改`, '重新打开'),
      }));
      buttons.push(reopen);
    }
    if (r.status === 'submitted' || r.status === 'approved') {
      const exportButton = h('button', { type: 'button', class: 'small', 'aria-label': `导出${label}` }, '导出');
      exportButton.addEventListener('click', () => exportReport(r, exportButton));
      buttons.push(exportButton);
    }
    return h('li', { class: `report-item status-${r.status}`, dataset: { code: r.code, org: r.orgUnitCode, status: r.status } },
      h('div', { class: 'report-head' },
        h('span', { class: 'form-code' }, r.code),
        h('span', { class: 'form-name' }, h('strong', {}, r.orgUnitName), ' ', r.formName, h('small', {}, r.periodLabel)),
        h('span', { class: 'report-badges' }, statusBadges(r))),
      reportFacts(r, { due: r.status !== 'approved' }),
      r.status === 'returned' ? null : previousLine(r, previous),
      r.status === 'submitted' || r.status === 'approved' ? changesButton(r) : null,
      h('div', { class: 'actions' }, buttons),
      host, notes, preview.host);
  }

  const group = (heading, list, previous, none) => [
    h('h3', {}, `${heading}（${list.length}）`),
    list.length ? h('ul', { class: 'report-list' }, list.map((r) => item(r, previous))) : h('p', { class: 'muted' }, none),
  ];

  async function load(p) {
    period = p;
    el.setAttribute('aria-busy', 'true');
    const heading = h('h2', { id: 'review-title' }, title);
    try {
      const mine = (await gql(REPORTS, { org: unitCode, period })).reports.filter((r) => r.canReview);
      const of = (s) => mine.filter((r) => r.status === s);
      const compared = [...of('submitted'), ...of('approved')];
      const previous = compared.length ? await previousReports(unitCode, compared).catch(() => null) : new Map();
      fill(el, heading,
        group('待审核', of('submitted'), previous, '本期没有等待审核的报表。'),
        group('已退回，等待重新报送', of('returned'), previous, '没有。'),
        group('已审核', of('approved'), previous, '本期还没有审核通过的报表。'),
        of('pending').length ? h('p', { class: 'hint' }, `另有 ${of('pending').length} 张尚未报送（待报），不在此列。`) : null);
    } catch (e) {
      fill(el, heading, viewMessage(`无法载入待审核的报表：${errorText(e)}`, { error: true, retry: () => load(period) }));
    } finally {
      el.removeAttribute('aria-busy');
    }
  }
  return { el, load };
}
