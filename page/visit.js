// Recording a visit (走访) to a key-group resident: the visit fields of the dictionary, checked by the shared validator.

import { gql, keepsKey, saveFailedText, saveKey } from './api.js';
import { createControl } from './controls.js';
import { h, say } from './dom.js';
import { isEmpty, shownValue } from './dictionary.js';
import { validateRecord } from '/page/shared/dictionary/field-validator.js';
import { todayIso } from '/page/shared/identity/index.js';

const RECORD = `mutation ($input: RecordVisitInput!) { recordVisit(input: $input) { id visitDate visitMethod disposition staff { staffName } } }`;

/**
 * @param {{ dict: any, resident: { idNumber: string, name: string, visits: any[] }, staff: any[], account: any,
 *           draft: { values: Record<string, any>, save: any } | null, onDraft: (draft: any, now?: boolean) => void,
 *           onRecorded: (visit: any) => void, idPrefix?: string }} o   draft: a visit typed earlier and not recorded;
 *   onDraft: keeps it; idPrefix: element ids, when another visit form may be on the page (本月待走访)
 */
export function visitPanel({ dict, resident, staff, account, draft, onDraft, onRecorded, idPrefix = 'v' }) {
  const defs = dict.fields.filter((f) => f.entity === 'visit');
  const rows = new Map();
  const today = todayIso();
  const staffDef = { key: 'staffId', label: '走访人', type: 'staffRef', required: true };
  const fieldRow = (def) => {
    const id = `${idPrefix}-${def.key}`;
    const list = def.codeList ? dict.codeLists.get(def.codeList) : null;
    const field = { ...def, options: list?.items ?? null };
    const control = createControl(field, def, { id, describedBy: `${id}-error`, staff });
    const error = h('p', { class: 'error', id: `${id}-error` });
    control.el.addEventListener('change', check);
    control.el.addEventListener('input', () => keep());
    control.el.addEventListener('change', () => keep());
    rows.set(def.key, { control, error, def });
    return h('div', { class: 'field' }, h('label', { for: id }, def.label, def.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null), control.el, error);
  };
  const fields = [fieldRow(staffDef), ...defs.map(fieldRow)];
  // Sensible defaults: the person at the keyboard if they are on the staff list, today, a home visit.
  const me = staff.find((s) => account.displayName?.startsWith(s.staffName)) ?? staff.find((s) => s.staffDuty === '1') ?? staff[0];
  rows.get('staffId').control.write(me?.id ?? null);
  rows.get('visitDate').control.write(today);
  rows.get('visitMethod').control.write('1');
  let kept = draft ? { ...draft, residentIdNumber: resident.idNumber } : null;
  if (kept) for (const [key, value] of Object.entries(kept.values)) rows.get(key)?.control.write(value);

  /** Every field as typed, into the draft (the save key stays until it no longer matches what is sent). */
  function keep(over = {}, now = false) {
    kept = { residentIdNumber: resident.idNumber, values: Object.fromEntries([...rows].map(([key, { control }]) => [key, control.read()])), save: kept?.save ?? null, ...over };
    onDraft(kept, now);
  }

  const history = h('ul', { class: 'visit-list' });
  const showHistory = (visits) => history.replaceChildren(...(visits.length
    ? visits.slice(0, 5).map((v) => h('li', {}, `${v.visitDate} ${shownValue(dict, dict.byKey.get('visitMethod'), v.visitMethod)}，${shownValue(dict, dict.byKey.get('disposition'), v.disposition)}${v.staff ? `（${v.staff.staffName}）` : ''}`))
    : [h('li', { class: 'muted' }, '还没有走访记录。')]));
  const visits = [...(resident.visits ?? [])].sort((a, b) => (a.visitDate < b.visitDate ? 1 : -1));
  showHistory(visits);

  function values() {
    const input = {};
    for (const [key, { control }] of rows) {
      const v = control.read();
      if (!isEmpty(v)) input[key] = v;
    }
    return input;
  }

  /** Shows every problem; answers whether the visit may be sent. */
  function check(all = false) {
    const input = values();
    const { errors } = validateRecord(dict, ['visit'], input, null, today);
    const byKey = new Map(errors.map((e) => [e.path[0], e.message]));
    if (!input.staffId) byKey.set('staffId', '走访人：必填');
    for (const [key, { control, error, def }] of rows) {
      const shown = all === true || key in input ? byKey.get(key) ?? '' : '';
      error.textContent = shown.startsWith(`${def.label}：`) ? shown.slice(def.label.length + 1) : shown;
      control.el.setAttribute('aria-invalid', shown ? 'true' : 'false');
    }
    return byKey.size === 0;
  }

  async function submit(event) {
    event.preventDefault();
    if (!check(true)) return say('走访记录有需要修改的地方', 'error');
    button.disabled = true;
    const { staffId, ...rest } = values();
    const variables = { input: { residentIdNumber: resident.idNumber, staffId, ...rest } };
    // One visit however often it is sent: a retry of this very visit (failure, new login, reload) sends the same key.
    const key = saveKey(kept?.save, RECORD, variables);
    keep({ save: key }, true);
    try {
      const visit = (await gql(RECORD, variables, { idempotencyKey: key.key })).recordVisit;
      kept = null;
      onDraft(null, true);
      visits.unshift(visit);
      showHistory(visits);
      for (const key of ['physicalCondition', 'livingCondition', 'problemsFound', 'visitRemarks']) rows.get(key).control.write(null);
      say(`已记录 ${resident.name} ${visit.visitDate} 的走访`, 'ok');
      onRecorded(visit);
    } catch (e) {
      for (const fe of e.extensions?.fieldErrors ?? []) {
        const row = rows.get(fe.path?.at(-1));
        if (row) row.error.textContent = fe.message;
      }
      if (!keepsKey(e)) keep({ save: null }, true); // a definite answer: the next press is a new request
      say(saveFailedText(e), 'error');
    } finally {
      button.disabled = false;
    }
  }

  const button = h('button', { type: 'submit', class: 'primary' }, '记录走访');
  return h('section', { class: 'panel visit', 'aria-labelledby': `${idPrefix}-visit-title` },
    h('h2', { id: `${idPrefix}-visit-title` }, `记录走访：${resident.name}`),
    h('p', { class: 'muted' }, '重点人群（独居老人、孤寡老人、易走失人员）的定期走访。'),
    h('form', { class: 'visit-form', novalidate: true, onsubmit: submit }, h('div', { class: 'fields' }, fields), h('div', { class: 'actions' }, button)),
    h('h3', {}, '最近的走访'), history);
}
