// What the reporting views share: the report's fields, its state as badges and lines, sending a step once, exports.

import { ApiError, errorText, gql, isOutage, keepsKey, saveKey, session } from './api.js';
import { download, h, say } from './dom.js';
import { shownTime } from './periods.js';

export const REPORT_FIELDS = `id code formName orgUnitCode orgUnitName period periodLabel dueDate status statusName
  submittedBy submittedAt reviewedBy reviewedAt returnReason rowCount onTime overdue canSubmit canReview`;
export const REPORTS = `query ($org: String!, $period: String!) { reports(orgUnit: $org, period: $period) { ${REPORT_FIELDS} } }`;
const EXPORT = `mutation ($code: String!, $org: String!, $period: String) { exportForm(code: $code, orgUnit: $org, period: $period) { url fileName rows } }`;

/** Who reviews a form, for the words before submitting (templates' reviewedBy). */
export const REVIEWERS = { street: '街道办事处', district: '区县主管部门' };

/** 待报 / 已报 / 已审核 / 退回, and 已逾期 when the due day has passed without a report with the reviewer. */
export function statusBadges(r) {
  return [
    h('span', { class: `badge badge-${r.status}` }, r.statusName),
    r.overdue ? h('span', { class: 'badge badge-overdue' }, '已逾期') : null,
  ];
}

/** The lines under a report's title: due date, filler, reviewer, rows, and a returned report's reason. */
export function reportFacts(r, { due = true } = {}) {
  const facts = [];
  if (due) facts.push(`截止 ${r.dueDate}`);
  if (r.submittedBy) facts.push(`填表人 ${r.submittedBy}（${shownTime(r.submittedAt)}）`);
  if (r.status === 'approved' && r.reviewedBy) facts.push(`审核人 ${r.reviewedBy}（${shownTime(r.reviewedAt)}）`);
  if (r.id) facts.push(`${r.rowCount} 行`);
  if (r.id && r.status !== 'returned') facts.push(r.onTime ? '按时报送' : '逾期报送');
  return [
    h('p', { class: 'report-facts' }, facts.join(' · ')),
    r.status === 'returned' && r.returnReason
      ? h('p', { class: 'return-reason' }, h('strong', {}, '退回原因：'), r.returnReason,
          r.reviewedBy ? h('small', {}, `（${r.reviewedBy}，${shownTime(r.reviewedAt)}）`) : null)
      : null,
  ];
}

/** Idempotency-Keys of steps whose answer is not known yet (kept for pressing again), by step. */
const pending = new Map();

/**
 * Sends a reporting step (submit, approve, return, reopen) with an Idempotency-Key: pressing again after a lost
 * answer sends the same key, so the server does it once; a definite answer (done or refused) forgets the key.
 */
export async function sendOnce(step, query, variables) {
  const key = saveKey(pending.get(step), query, variables);
  pending.set(step, key);
  try {
    const data = await gql(query, variables, { idempotencyKey: key.key });
    pending.delete(step);
    return data;
  } catch (e) {
    if (!keepsKey(e)) pending.delete(step);
    throw e;
  }
}

/** Why a step failed, and whether it may have been done anyway (no answer) or surely was not. */
export function stepFailedText(e, verb) {
  if (!isOutage(e)) return errorText(e);
  if (e.code === 'NETWORK' || e.code === 'HTTP') return `${errorText(e)}；不确定是否已${verb}，再点一次不会重复${verb}`;
  return `${errorText(e)}（未${verb}）`;
}

/** Downloads a submitted or approved report as the department's workbook: its frozen rows, 填表人 and 审核人 filled. */
export async function exportReport(r, button) {
  if (button) button.disabled = true;
  try {
    const { url, fileName, rows } = (await gql(EXPORT, { code: r.code, org: r.orgUnitCode, period: r.period })).exportForm;
    download(url, fileName);
    say(`正在下载 ${fileName}（${rows} 行）`, 'ok');
  } catch (e) {
    say(errorText(e), 'error');
  } finally {
    if (button) button.disabled = false;
  }
}

/**
 * A download from a route that takes the login token (no ticket): fetched here, handed to the browser as a file.
 * The server's { code, message } answer becomes an ApiError with its message.
 */
export async function downloadWithToken(url, fallbackName) {
  let res;
  try {
    res = await fetch(url, { headers: { Authorization: `Bearer ${session.token()}`, 'X-Ybt-Source': 'form' } });
  } catch {
    throw new ApiError('NETWORK', '网络中断，连不上服务器');
  }
  if (!res.ok) {
    const body = await res.json().catch(() => null);
    throw new ApiError(body?.code ?? 'HTTP', body?.message ?? `服务器出错（HTTP ${res.status}）`, { status: res.status });
  }
  const named = /filename\*=UTF-8''([^;]+)/i.exec(res.headers.get('Content-Disposition') ?? '');
  const fileName = named ? decodeURIComponent(named[1]) : fallbackName;
  const link = URL.createObjectURL(await res.blob());
  download(link, fileName);
  setTimeout(() => URL.revokeObjectURL(link), 60_000); // the browser has taken the file by then
  return fileName;
}

/** A message inside a view (a load that failed, nothing to show), with a retry when there is something to retry. */
export function viewMessage(text, { error = false, retry } = {}) {
  return h('div', { class: `panel ${error ? 'error-block' : 'muted'}`, role: error ? 'alert' : null },
    h('p', {}, text),
    retry ? h('button', { type: 'button', class: 'small', onclick: retry }, '重试') : null);
}
