// One resident on screen: the one form, saving (and its conflicts), the forms they appear in, visits.

import { gql, errorText, keepsKey, saveFailedText, saveKey } from './api.js';
import { conflictPanel } from './conflict.js';
import { download, h, fill, say } from './dom.js';
import { OneFormEditor } from './one-form.js';
import { leavingPanel } from './leaving.js';
import { KEY_GROUP_FORMS, formsPanel } from './result.js';
import { visitPanel } from './visit.js';
import { parseIdNumber, todayIso } from '/page/shared/identity/index.js';

const FORMS = `query ($id: String!) { residentForms(idNumber: $id) { code name department } }`;
const SEARCH = `query ($org: String!, $text: String!) { searchResidents(orgUnit: $org, text: $text) { idNumber name status } }`;
const UPSERT = (oneForm) => `mutation ($input: UpsertResidentInput!) { upsertResident(input: $input) { ${selection(oneForm)} } }`;
const EXPORT = `mutation ($code: String!, $org: String!) { exportForm(code: $code, orgUnit: $org) { url fileName rows } }`;

/** The resident fields to read back: every field of the one form (a staff reference as its id). */
const selection = (oneForm) =>
  `id version gridCode age grid { name } status deregisteredOn deregistrationReasonName deregistrationDestination deregistrationNote ${oneForm.sections.flatMap((s) => s.fields).map((f) => (f.type === 'staffRef' ? `${f.key} { id }` : f.key)).join(' ')}
   visits { id visitDate visitMethod disposition staff { staffName } } warnings { rule severity message fields }`;

/** The grid's staff and its community's (a visit's 走访人, a resident's 包联干部); what the account cannot see is left out. */
export async function loadStaff(gridCode) {
  const q = `query ($org: String!) { staff(orgUnitCode: $org) { id staffName staffDuty } }`;
  const lists = await Promise.all([gridCode, gridCode.slice(0, 12)].map((org) => gql(q, { org }).then((d) => d.staff, () => [])));
  return [...new Map(lists.flat().map((s) => [s.id, s])).values()];
}

/**
 * Opens a resident (idNumber) or a blank form for a new one in gridCode, or a draft left unsaved (draft).
 * @param {HTMLElement} host
 * @param {{ dict: any, oneForm: any, account: any, can: { write: boolean, export: boolean }, drafts: any, draft?: any,
 *           idNumber?: string, gridCode?: string, gridName?: string, onOpen: (idNumber: string) => Promise<void>,
 *           focusField?: string }} o
 *   drafts: the account's draft slot (null when it cannot write); onOpen: opens another resident;
 *   focusField: a field to put the cursor in once open (the work list's first missing fact)
 *   A resident who left (注销) is shown read-only, with 恢复; one on the ledger with 注销 (and a street's 迁移).
 */
export async function openEditor(host, options) {
  const { dict, oneForm, account, can, drafts, draft, onOpen } = options;
  let { idNumber, gridCode, gridName } = draft ?? options;
  let resident = null;
  let forms = [];
  if (idNumber) {
    const data = await gql(`query ($id: String!) { resident(idNumber: $id) { ${selection(oneForm)} } residentForms(idNumber: $id) { code name department } }`, { id: idNumber });
    ({ resident, residentForms: forms } = data);
    gridCode = resident.gridCode;
    gridName = resident.grid.name;
  }
  // Saved by someone else since the draft was typed: the form is what was open then, so saving answers CONFLICT
  // and shows both sides instead of quietly putting the draft over their changes.
  const stale = Boolean(draft?.values && resident && draft.baseVersion !== resident.version);
  if (stale) resident = { ...resident, ...draft.base, version: draft.baseVersion };
  const staff = await loadStaff(gridCode);
  const left = Boolean(resident?.deregisteredOn);
  const form = new OneFormEditor({ dict, oneForm, staff, resident, readOnly: !can.write || left, onChange: (key) => {
    keepDraft();
    if (key === 'idNumber' && !resident) checkRegistered();
  } });
  if (draft?.values) form.restore(draft.values);
  else if (!draft) drafts?.update(() => null, true); // this form now holds the slot: an earlier form's draft is given up

  /** The draft as the form stands (over: parts to set); written after a pause in typing, or now. */
  function keepDraft(over = {}, now = false) {
    drafts?.update((d) => ({
      gridCode, gridName, idNumber: resident?.idNumber ?? null, baseVersion: form.version, base: form.stored,
      values: Object.keys(form.input(todayIso())).length ? form.values() : null,
      save: d?.save ?? null, visit: d?.visit ?? null, ...over,
    }), now);
  }
  const heading = h('h2', { id: 'editor-title', tabindex: '-1' });
  const notices = h('div', { class: 'notices' });
  const visitHost = h('div');
  const leavingHost = h('div');
  // 注销, 恢复, 迁移 of the resident as last read or saved: each changes them, and they are opened again as stored.
  const showLeaving = () => fill(leavingHost, leavingPanel({ dict, resident, can, account, onChanged: async (message) => {
    await onOpen(resident.idNumber);
    say(message, 'ok');
  } }));
  const saveButton = h('button', { type: 'submit', class: 'primary' }, resident ? '保存修改' : '保存并登记');
  const showHeading = () => fill(heading, resident ? resident.name : '登记新居民',
    left ? [' ', h('span', { class: 'badge badge-left' }, '已注销')] : null,
    h('small', {}, resident ? `${gridName} · 第 ${resident.version} 版` : `登记到 ${gridName}`));

  const exportForm = async (f) => {
    try {
      const { url, fileName, rows } = (await gql(EXPORT, { code: f.code, org: account.orgUnitCode })).exportForm;
      download(url, fileName);
      say(`正在下载 ${fileName}（${rows} 行）`, 'ok');
    } catch (e) {
      say(errorText(e), 'error');
    }
  };
  const showForms = (before, title) => {
    notices.querySelector('.result')?.remove();
    notices.append(formsPanel({ title, version: resident?.version, before, after: forms, onExport: can.export ? exportForm : undefined }));
  };
  const showVisits = () => {
    const keyGroup = forms.some((f) => KEY_GROUP_FORMS.has(f.code));
    const kept = drafts?.data?.visit;
    const visitDraft = resident && kept?.residentIdNumber === resident.idNumber ? kept : null;
    fill(visitHost, keyGroup && can.write && !left
      ? visitPanel({ dict, resident, staff, account, draft: visitDraft, onDraft: (visit, now) => keepDraft({ visit }, now), onRecorded: refreshForms })
      : null);
  };
  async function refreshForms() {
    const before = forms;
    forms = (await gql(FORMS, { id: resident.idNumber })).residentForms;
    showForms(before, '走访已记录');
  }

  /** A new resident's ID number, once valid: is this person registered already (within the account's area)? */
  let checkedId = null;
  async function checkRegistered() {
    const parsed = parseIdNumber(form.rows.get('idNumber').control.read() ?? '', todayIso());
    const id = parsed.ok ? parsed.value.idNumber : null;
    if (id === checkedId) return;
    checkedId = id;
    notices.querySelector('.registered')?.remove();
    if (!id || !account.orgUnitCode) return;
    const found = (await gql(SEARCH, { org: account.orgUnitCode, text: id }).catch(() => null))?.searchResidents?.find((r) => r.idNumber === id);
    if (!found || checkedId !== id || resident) return;
    // One who left (迁出) comes back as the same record when registered again; a mistake is undone with 恢复 instead.
    const told = found.status === '已注销' ? `该公民身份号码的居民 ${found.name} 已注销：保存即重新登记到本网格（保留其历史）；如系误注销，请打开该居民"恢复"。` : `该公民身份号码的居民已登记：${found.name}。`;
    notices.prepend(h('p', { class: 'panel notice registered', role: 'status' }, told,
      h('button', { type: 'button', class: 'small', onclick: () => onOpen(found.idNumber) }, '打开该居民')));
  }

  async function save(event) {
    event.preventDefault();
    notices.querySelector('.conflict')?.remove();
    const p = form.payload();
    if (p.errors) {
      form.focusFirstError();
      return say(`有 ${p.errors.size} 处需要修改，见标红的字段`, 'error');
    }
    if (!p.input) return say('没有修改，无需保存');
    const input = resident ? p.input : { gridCode, ...p.input };
    // Kept with the draft before sending: a retry of this very save (failure, new login, reload) sends the same key.
    const key = saveKey(drafts?.data?.save, UPSERT(oneForm), { input });
    keepDraft({ save: key }, true);
    saveButton.disabled = true;
    say('正在保存…');
    let saved;
    try {
      saved = (await gql(UPSERT(oneForm), { input }, { idempotencyKey: key.key })).upsertResident;
    } catch (e) {
      return failed(e, input);
    } finally {
      saveButton.disabled = false;
    }
    const before = resident ? forms : [];
    const isNew = !resident;
    resident = saved;
    form.saved(saved);
    keepDraft({ save: null }, true); // nothing unsaved any more
    notices.querySelector('.restored')?.remove();
    saveButton.textContent = '保存修改';
    showHeading();
    say(isNew ? `已登记 ${saved.name}` : `已保存 ${saved.name} 的修改`, 'ok');
    try {
      forms = (await gql(FORMS, { id: saved.idNumber })).residentForms;
    } catch (e) {
      return say(`${isNew ? '已登记' : '已保存'}，但未能读取所在的表单：${errorText(e)}`, 'error');
    }
    showForms(before, isNew ? `已登记 ${saved.name}` : `已保存 ${saved.name}`);
    showVisits();
    showLeaving();
    notices.querySelector('.result').focus();
  }

  function failed(e, input) {
    if (!keepsKey(e)) keepDraft({ save: null }, true); // the next press is a new request with a new key
    if (e.code === 'VALIDATION_FAILED' || e.code === 'DUPLICATE') {
      const rest = form.setServerErrors(e.extensions.fieldErrors ?? [{ path: e.extensions.path ?? ['idNumber'], message: e.message }]);
      form.focusFirstError();
      return say(rest.length ? rest.join('；') : e.message, 'error');
    }
    if (e.code !== 'CONFLICT') return say(saveFailedText(e), 'error');
    const { idNumber: _id, expectedVersion: _v, gridCode: _g, ...mine } = input;
    const panel = conflictPanel({
      dict, fields: form.fields, staff, base: form.stored, baseVersion: form.version, mine,
      current: e.extensions.current, currentVersion: e.extensions.currentVersion,
      onMerge: () => {
        form.rebase(e.extensions.current, e.extensions.currentVersion, mine);
        resident = { ...resident, version: e.extensions.currentVersion };
        keepDraft({}, true);
        showHeading();
        showLeaving();
        panel.remove();
        say(`已换成第 ${e.extensions.currentVersion} 版并填回您的修改，请核对后保存`, 'ok');
        saveButton.focus();
      },
      onDiscard: () => {
        form.rebase(e.extensions.current, e.extensions.currentVersion, {});
        resident = { ...resident, version: e.extensions.currentVersion };
        keepDraft({}, true);
        showHeading();
        showLeaving();
        panel.remove();
        say('已放弃您的修改，显示当前保存的内容');
      },
    });
    notices.prepend(panel);
    panel.scrollIntoView({ block: 'start' });
    say('该居民信息已被他人修改，您的修改尚未保存', 'error');
  }

  showHeading();
  if (resident) showForms(null, null);
  showVisits();
  showLeaving();
  if (draft) {
    const again = () => {
      drafts.update(() => null, true);
      return openEditor(host, { ...options, draft: null, idNumber: draft.idNumber, gridCode: draft.gridCode, gridName: draft.gridName })
        .then(() => say('已放弃未保存的内容'), (e) => say(errorText(e), 'error'));
    };
    notices.prepend(h('div', { class: 'panel notice restored', role: 'status' },
      h('p', {}, stale ? '已恢复未保存的内容。该居民此后已被他人修改，保存时将列出双方的值供您对照。' : '已恢复未保存的内容，请核对后保存。'),
      h('button', { type: 'button', class: 'small', onclick: again }, '放弃这些内容')));
    if (!resident && draft.values?.idNumber) checkRegistered();
  }
  const readOnlyNote = left ? `已注销的居民只能查看${can.write ? '；如系误注销，请在上方"恢复"' : ''}。` : '本账号只能查看，不能修改。';
  const editor = h('form', { class: 'editor', novalidate: true, 'aria-labelledby': 'editor-title', onsubmit: save },
    form.el,
    can.write && !left ? h('div', { class: 'save-bar' }, saveButton, h('span', { class: 'muted' }, '出生日期、性别由公民身份号码得出')) : h('p', { class: 'muted' }, readOnlyNote));
  fill(host, heading, notices, left ? leavingHost : null, editor, left ? null : leavingHost, visitHost);
  // On a phone the form starts below the search: bring it up, and put the keyboard focus on its title.
  const wanted = options.focusField ? form.rows.get(options.focusField) : null;
  if (wanted?.control && !wanted.row.hidden) {
    // From the work list: straight to the fact that is missing, its section opened.
    wanted.row.closest('details').open = true;
    wanted.row.classList.add('wanted');
    wanted.control.el.focus({ preventScroll: true });
    wanted.row.scrollIntoView({ block: 'center' });
    return { resident, forms };
  }
  heading.focus({ preventScroll: true });
  heading.scrollIntoView({ block: window.matchMedia('(min-width: 64em)').matches ? 'nearest' : 'start' });
  return { resident, forms };
}
