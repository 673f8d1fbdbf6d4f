// A resident leaving the ledger and coming back: 注销 (moved away, deceased, other), 恢复 (a mistake undone), and a
// street office's 迁移 to another community of its street. Each is one mutation with its own Idempotency-Key.

import { gql, errorText, keepsKey, saveFailedText, saveKey } from './api.js';
import { createControl } from './controls.js';
import { h, say } from './dom.js';
import { validateRecord } from '/page/shared/dictionary/field-validator.js';
import { todayIso } from '/page/shared/identity/index.js';

const RESULT = 'id version status';
const DEREGISTER = `mutation ($id: String!, $reason: String, $date: String, $note: String, $destination: String, $v: Int) {
  deregisterResident(idNumber: $id, reason: $reason, effectiveDate: $date, note: $note, destination: $destination, expectedVersion: $v) { ${RESULT} } }`;
const RESTORE = `mutation ($id: String!, $reason: String, $v: Int) { restoreResident(idNumber: $id, reason: $reason, expectedVersion: $v) { ${RESULT} } }`;
const TRANSFER = `mutation ($id: String!, $grid: String, $address: String, $v: Int) {
  transferResident(idNumber: $id, gridCode: $grid, currentAddress: $address, expectedVersion: $v) { ${RESULT} gridCode } }`;
const CHILDREN = `query ($code: String) { orgUnits(parentCode: $code) { code name level } }`;

/** The mutations' arguments for the dictionary's deregistration fields (errors come back by argument). */
const ARGUMENTS = { deregisteredOn: 'date', deregistrationReason: 'reason', deregistrationDestination: 'destination', deregistrationNote: 'note' };
const SERVER_ARGUMENTS = { effectiveDate: 'date', reason: 'reason', destination: 'destination', note: 'note', gridCode: 'grid', currentAddress: 'address' };
const MOVED_AWAY = '1';

/** When and why a resident left, as the page shows it. */
export function leftText(r) {
  const where = r.deregistrationDestination ? `，迁往${r.deregistrationDestination}` : '';
  const note = r.deregistrationNote ? `（${r.deregistrationNote}）` : '';
  return `已注销：${r.deregistrationReasonName ?? ''}，注销日期 ${r.deregisteredOn}${where}${note}`;
}

/**
 * What can be done about a resident's place on the ledger, as a panel (null when nothing).
 * @param {{ dict: any, resident: any, can: { write: boolean, transfer: boolean }, account: any, onChanged: (message: string) => Promise<void> }} o
 *   onChanged: the resident changed; shows them again, then the message
 */
export function leavingPanel({ dict, resident, can, account, onChanged }) {
  if (!resident) return null;
  if (resident.deregisteredOn) {
    return h('section', { class: 'panel notice leaving', 'aria-labelledby': 'leaving-title' },
      h('h2', { id: 'leaving-title' }, leftText(resident)),
      h('p', { class: 'muted' }, '自注销日期起不再出现在各部门表单中；此前日期的表单和修改历史都保留。'),
      can.write ? restoreForm({ resident, onChanged }) : null);
  }
  const parts = [
    can.write ? deregisterForm({ dict, resident, onChanged }) : null,
    can.transfer ? transferForm({ resident, account, onChanged }) : null,
  ].filter(Boolean);
  return parts.length ? h('section', { class: 'panel leaving', 'aria-labelledby': 'leaving-title' }, h('h2', { id: 'leaving-title' }, can.transfer ? '迁移' : '注销'), parts) : null;
}

/** A labelled control with its error line, from a field description (dictionary-like). */
function fieldRow(field, def, id) {
  const control = createControl(field, def, { id, describedBy: `${id}-error`, staff: [] });
  const error = h('p', { class: 'error', id: `${id}-error` });
  const row = h('div', { class: `field field-${field.type}` },
    h('label', { for: id }, field.label, def.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null), control.el, error);
  return { control, error, row };
}

/**
 * Sends one mutation with a key kept for this very request (a retry after an outage sends it again), shows field
 * errors at their controls, and hands success to onDone.
 */
function sender(button, rows) {
  let kept = null;
  return async (query, variables, onDone) => {
    for (const { error } of Object.values(rows)) error.textContent = '';
    const key = saveKey(kept, query, variables);
    kept = key;
    button.disabled = true;
    say('正在保存…');
    try {
      const data = await gql(query, variables, { idempotencyKey: key.key });
      kept = null;
      await onDone(data);
    } catch (e) {
      if (!keepsKey(e)) kept = null;
      for (const fe of e.extensions?.fieldErrors ?? []) {
        const row = rows[SERVER_ARGUMENTS[fe.path?.at(-1)]];
        if (row) row.error.textContent = fe.message;
      }
      say(e.code === 'CONFLICT' ? '该居民信息已被他人修改，请重新打开该居民后再试' : saveFailedText(e), 'error');
    } finally {
      button.disabled = false;
    }
  };
}

function deregisterForm({ dict, resident, onChanged }) {
  const def = (key) => dict.byKey.get(key);
  const list = dict.codeLists.get(def('deregistrationReason').codeList);
  const rows = {
    reason: fieldRow({ ...def('deregistrationReason'), type: 'code', options: list.items }, { ...def('deregistrationReason'), required: true }, 'leave-reason'),
    date: fieldRow({ ...def('deregisteredOn') }, { ...def('deregisteredOn'), required: true }, 'leave-date'),
    destination: fieldRow({ ...def('deregistrationDestination') }, { ...def('deregistrationDestination'), required: true }, 'leave-destination'),
    note: fieldRow({ ...def('deregistrationNote') }, def('deregistrationNote'), 'leave-note'),
  };
  rows.date.control.write(todayIso());
  const showDestination = () => { rows.destination.row.hidden = rows.reason.control.read() !== MOVED_AWAY; };
  rows.reason.control.el.addEventListener('change', showDestination);
  showDestination();
  const button = h('button', { type: 'submit', class: 'primary' }, '注销');
  const send = sender(button, rows);

  /** The shared validator's verdict on what is typed (with the two facts every deregistration needs). */
  function check() {
    const given = Object.fromEntries(Object.entries(ARGUMENTS).map(([key, arg]) => [key, rows[arg].control.read() || null]));
    if (given.deregistrationReason !== MOVED_AWAY) given.deregistrationDestination = null; // hidden: not sent
    const { errors } = validateRecord(dict, ['resident'], given, { registeredOn: resident.registeredOn ?? null }, todayIso());
    const messages = new Map(errors.map((e) => [ARGUMENTS[e.path[0]], e.message]));
    if (!given.deregistrationReason) messages.set('reason', `${def('deregistrationReason').label}：必填`);
    if (!given.deregisteredOn) messages.set('date', `${def('deregisteredOn').label}：必填`);
    for (const [arg, { error }] of Object.entries(rows)) error.textContent = messages.get(arg) ?? '';
    return messages.size === 0;
  }

  async function submit(event) {
    event.preventDefault();
    if (!check()) return say('注销信息有需要修改的地方', 'error');
    const reason = rows.reason.control.read();
    const variables = {
      id: resident.idNumber, reason, date: rows.date.control.read(), v: resident.version,
      note: rows.note.control.read() || null, destination: reason === MOVED_AWAY ? rows.destination.control.read() || null : null,
    };
    await send(DEREGISTER, variables, () => onChanged(`已注销 ${resident.name}`));
  }

  return h('details', { class: 'leave' },
    h('summary', {}, '注销该居民（迁出、死亡等）'),
    h('form', { class: 'leave-form', novalidate: true, onsubmit: submit },
      h('div', { class: 'fields' }, Object.values(rows).map((r) => r.row)),
      h('p', { class: 'muted' }, '注销后该居民自注销日期起不再出现在各部门表单中，记录和修改历史保留；如系误操作可以恢复。迁往外街道的，由迁入社区重新登记即可。'),
      h('div', { class: 'actions' }, button)));
}

function restoreForm({ resident, onChanged }) {
  const rows = { reason: fieldRow({ key: 'restoreReason', label: '恢复原因', type: 'text' }, { maxLength: 500 }, 'restore-reason') };
  const button = h('button', { type: 'submit', class: 'primary' }, '恢复');
  const send = sender(button, rows);
  async function submit(event) {
    event.preventDefault();
    const variables = { id: resident.idNumber, reason: rows.reason.control.read() || null, v: resident.version };
    await send(RESTORE, variables, () => onChanged(`已恢复 ${resident.name}`));
  }
  return h('form', { class: 'restore-form', novalidate: true, onsubmit: submit },
    h('div', { class: 'fields' }, rows.reason.row), h('div', { class: 'actions' }, button));
}

/** A street office: another community of its street, a grid there, the address (the same one unless changed). */
function transferForm({ resident, account, onChanged }) {
  const select = (id, label, placeholder) => {
    const el = h('select', { id, 'aria-describedby': `${id}-error` }, h('option', { value: '' }, placeholder));
    const error = h('p', { class: 'error', id: `${id}-error` });
    return { el, error, row: h('div', { class: 'field' }, h('label', { for: id }, label, h('span', { class: 'req', 'aria-hidden': 'true' }, ' *')), el, error) };
  };
  const community = select('move-community', '迁往社区', '请选择社区');
  const grid = select('move-grid', '迁往网格', '请先选择社区');
  const address = fieldRow({ key: 'currentAddress', label: '新的现居住地址', type: 'text' }, { maxLength: 200 }, 'move-address');
  address.control.write(resident.currentAddress ?? '');
  const rows = { grid, address };
  const button = h('button', { type: 'submit', class: 'primary' }, '迁移');
  const send = sender(button, rows);

  gql(CHILDREN, { code: account.orgUnitCode }).then(({ orgUnits }) => {
    community.el.append(...orgUnits.map((u) => h('option', { value: u.code }, u.name)));
  }, (e) => say(errorText(e), 'error'));
  community.el.addEventListener('change', async () => {
    grid.el.replaceChildren(h('option', { value: '' }, community.el.value ? '请选择网格' : '请先选择社区'));
    if (!community.el.value) return;
    const { orgUnits } = await gql(CHILDREN, { code: community.el.value });
    grid.el.append(...orgUnits.filter((u) => u.code !== resident.gridCode).map((u) => h('option', { value: u.code }, u.name)));
  });

  async function submit(event) {
    event.preventDefault();
    grid.error.textContent = grid.el.value ? '' : '迁往网格：必填';
    if (!grid.el.value) return say('请选择迁往的网格', 'error');
    const chosen = `${community.el.selectedOptions[0].textContent}${grid.el.selectedOptions[0].textContent}`;
    const variables = { id: resident.idNumber, grid: grid.el.value, address: address.control.read() || null, v: resident.version };
    await send(TRANSFER, variables, () => onChanged(`已将 ${resident.name} 迁到${chosen}`));
  }

  return h('details', { class: 'move' },
    h('summary', {}, '迁移到本街道其他社区'),
    h('form', { class: 'move-form', novalidate: true, onsubmit: submit },
      h('div', { class: 'fields' }, community.row, grid.row, address.row),
      h('p', { class: 'muted' }, '按新网格和地址归户；迁往外街道的，由原社区注销（迁出）、迁入社区重新登记。'),
      h('div', { class: 'actions' }, button)));
}
