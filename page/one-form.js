// The one form, rendered from oneForm section by section and checked as it is typed by the server's own validator.

import { h } from './dom.js';
import { createControl } from './controls.js';
import { isEmpty } from './dictionary.js';
import { conditionHolds, validateRecord, validateValue } from '/page/shared/dictionary/field-validator.js';
import { ageOn, parseIdNumber, todayIso } from '/page/shared/identity/index.js';
import { evaluateRules, touches } from '/page/shared/quality/quality-rules.js';

const ENTITIES = ['resident', 'household'];
/** Sections open on a phone; the rest fold away until needed (all open on a desk screen). */
const OPEN_ON_PHONE = new Set(['basic', 'residence']);
/** Lengths at which an ID or phone number is complete: before that a "wrong length" error would only be noise. */
const COMPLETE_AT = { idNumber: 18, phone: 11 };

const same = (a, b) => (isEmpty(a) && isEmpty(b)) || a === b || (typeof a === 'number' && Number(b) === a);

/** A resident as read from the server, as values keyed by field key (a staff reference as its id). */
export function recordOf(fields, r) {
  const values = {};
  for (const f of fields) {
    const v = r[f.key] ?? null;
    values[f.key] = f.type === 'staffRef' && v && typeof v === 'object' ? v.id : v;
  }
  return values;
}

export class OneFormEditor {
  /** @param {{ dict: any, oneForm: any, staff: any[], resident: any|null, readOnly: boolean, onChange?: (key: string) => void }} o */
  constructor({ dict, oneForm, staff, resident, readOnly, onChange }) {
    Object.assign(this, { dict, oneForm, staff, readOnly, onChange });
    this.fields = oneForm.sections.flatMap((s) => s.fields);
    this.rows = new Map();
    this.touched = new Set();
    this.serverErrors = new Map();
    this.showAll = false;
    this.stored = resident ? recordOf(this.fields, resident) : null;
    this.version = resident?.version ?? null;
    this.crossWarnings = this.crossOf(resident);
    this.el = h('div', { class: 'one-form' }, oneForm.sections.map((s) => this.renderSection(s)));
    this.write(this.stored ?? {});
  }

  get isNew() {
    return this.stored === null;
  }

  renderSection(section) {
    const wide = window.matchMedia('(min-width: 48em)').matches;
    const open = wide || OPEN_ON_PHONE.has(section.key) || section.fields.some((f) => !isEmpty(this.stored?.[f.key]));
    return h('details', { class: 'section', open, dataset: { section: section.key } },
      h('summary', {}, h('span', { class: 'section-title' }, section.label), h('span', { class: 'section-count' }, `${section.fields.length} 项`)),
      h('div', { class: 'fields' }, section.fields.flatMap((f) => this.renderField(f))));
  }

  renderField(field) {
    const def = this.dict.byKey.get(field.key);
    const id = `f-${field.key}`;
    if (field.derived) {
      const out = [this.derivedRow(field.key, field.label, id)];
      if (field.key === 'birthDate') out.push(this.derivedRow('age', '年龄', 'f-age'));
      return out;
    }
    const [hintId, errorId, warningId] = [`${id}-hint`, `${id}-error`, `${id}-warning`];
    const control = createControl(field, def, { id, describedBy: `${hintId} ${errorId} ${warningId}`, staff: this.staff });
    control.el.disabled = this.readOnly;
    if (field.key === 'idNumber' && !this.isNew) control.el.readOnly = true; // the ID number is who the person is
    const notes = [field.help, field.onlyWhen && `仅在${field.onlyWhen}时填写`].filter(Boolean).join('；');
    const forms = field.forms.length ? h('span', { class: 'uses' }, '用于 ', field.forms.map((f) => h('abbr', { title: `${f.name}（${f.department}）` }, f.code))) : null;
    const error = h('p', { class: 'error', id: errorId });
    const warning = h('p', { class: 'warning', id: warningId });
    const row = h('div', { class: `field field-${field.type}`, dataset: { key: field.key } },
      h('label', { for: id }, field.label, def.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null),
      control.el, h('p', { class: 'hint', id: hintId }, notes ? `${notes} ` : '', forms), error, warning);
    control.el.addEventListener('input', () => this.typed(field, control));
    control.el.addEventListener('change', () => this.typed(field, control, true));
    this.rows.set(field.key, { row, control, error, warning, def });
    return row;
  }

  derivedRow(key, label, id) {
    const out = h('output', { id, class: 'derived-value' }, '—');
    this.rows.set(key, { row: null, out });
    return h('div', { class: 'field derived' }, h('label', { for: id }, label), out, h('p', { class: 'hint' }, '由公民身份号码得出，无需填写'));
  }

  typed(field, control, left = false) {
    const complete = COMPLETE_AT[field.type];
    const typedOut = complete && String(control.read() ?? '').replace(/[\s-]/g, '').length >= complete;
    if (left || !complete || typedOut || this.rows.get(field.key).error.textContent) this.touched.add(field.key);
    this.serverErrors.delete(field.key);
    this.refresh();
    this.onChange?.(field.key);
  }

  /** Shows values in the controls (stored values, or a merge of them). */
  write(values) {
    for (const f of this.fields) this.rows.get(f.key)?.control?.write(values[f.key] ?? null);
    this.refresh();
  }

  /** Every field as typed (a draft): write() shows them again exactly. */
  values() {
    const values = {};
    for (const f of this.fields) {
      const control = this.rows.get(f.key)?.control;
      if (control) values[f.key] = control.read();
    }
    return values;
  }

  /** A draft's values back in the form, their problems shown as if just typed. */
  restore(values) {
    this.write({ ...(this.stored ?? {}), ...values });
    for (const key of Object.keys(this.input(todayIso()))) {
      this.touched.add(key);
      const details = this.rows.get(key)?.row?.closest('details');
      if (details) details.open = true; // what was typed stays in view, as after a conflict
    }
    this.refresh();
  }

  /** What the server would be sent now: a new resident's filled fields, or only what changed since it was read. */
  input(today) {
    const input = {};
    for (const f of this.fields) {
      const { control, def } = this.rows.get(f.key) ?? {};
      if (!control) continue;
      const v = control.read();
      if (this.isNew) {
        if (!isEmpty(v)) input[f.key] = v;
        continue;
      }
      const before = this.stored[f.key];
      if (isEmpty(v)) {
        if (!isEmpty(before)) input[f.key] = null;
      } else {
        const r = validateValue(this.dict, def, v, today);
        if (!(r.ok && same(r.value, before))) input[f.key] = v;
      }
    }
    return input;
  }

  /** Runs the shared validator over the form and shows derived values, conditional fields and errors. */
  refresh() {
    const today = todayIso();
    const input = this.input(today);
    const { changes, derived, errors } = validateRecord(this.dict, ENTITIES, input, this.stored, today);
    const byKey = new Map();
    for (const e of errors) if (!byKey.has(e.path[0])) byKey.set(e.path[0], e.message);
    const merged = { ...(this.stored ?? {}), ...changes };
    const warnings = this.quality({ ...merged, ...derived }, Object.keys(input), today, byKey);
    this.showDerived(this.rows.get('idNumber').control.read(), today);
    for (const [key, { row, control, error, warning, def }] of this.rows) {
      if (!row) continue;
      if (def.onlyWhen) row.hidden = !conditionHolds(def.onlyWhen, merged) && isEmpty(control.read()) && !byKey.has(key);
      const raw = this.serverErrors.get(key) ?? (this.showAll || this.touched.has(key) ? byKey.get(key) : undefined);
      const message = raw?.startsWith(`${def.label}：`) ? raw.slice(def.label.length + 1) : raw ?? '';
      error.textContent = message;
      row.classList.toggle('invalid', Boolean(message));
      control.el.setAttribute('aria-invalid', message ? 'true' : 'false');
      warning.textContent = message ? '' : [...new Set(warnings.get(key) ?? [])].join('；');
    }
    return { input, changes, errors: byKey, warnings };
  }

  /**
   * The data-quality rules (templates/rules.yaml) on the record as it would be saved, with the server's own
   * evaluator: an error the change brings in (a new resident, or a field the rule reads typed) stops the save like a
   * field error; the other findings are warnings at their fields. Rules about other records (same household, same
   * phone) run on the server: their findings come with the record and the save, shown until a field they read is
   * typed again. Answers the warnings by field; adds the blocking errors to `errors`.
   */
  quality(facts, given, today, errors) {
    const rules = this.dict.qualityRules ?? [];
    const warnings = new Map();
    const warn = (finding) => finding.fields.forEach((f) => warnings.set(f, [...(warnings.get(f) ?? []), finding.message]));
    for (const finding of evaluateRules(rules, facts, null, today)) {
      const rule = rules.find((r) => r.id === finding.rule);
      const blocks = finding.severity === 'error' && (this.isNew || touches(rule, given));
      if (!blocks) warn(finding);
      else for (const f of finding.fields) if (!errors.has(f)) errors.set(f, finding.message);
    }
    for (const finding of this.crossWarnings) {
      const rule = rules.find((r) => r.id === finding.rule);
      if (rule && !touches(rule, given)) warn(finding);
    }
    return warnings;
  }

  /** The findings the server made about other records (the page cannot): from a read or a save's answer. */
  crossOf(resident) {
    const needsServer = new Set((this.dict.qualityRules ?? []).filter((r) => r.checks.length).map((r) => r.id));
    return (resident?.warnings ?? []).filter((w) => needsServer.has(w.rule));
  }

  showDerived(rawId, today) {
    const parsed = typeof rawId === 'string' ? parseIdNumber(rawId, today) : null;
    const p = parsed?.ok ? parsed.value : null;
    const genderName = p ? this.dict.codeLists.get('gender')?.byCode.get(p.gender)?.name : null;
    this.rows.get('gender').out.textContent = genderName ?? '—';
    this.rows.get('birthDate').out.textContent = p?.birthDate ?? '—';
    this.rows.get('age').out.textContent = p ? `${ageOn(p.birthDate, today)} 岁` : '—';
  }

  /** The save request's input, or the errors that keep it from being sent (then shown at every field). */
  payload() {
    this.showAll = true;
    const { changes, errors } = this.refresh();
    if (errors.size) return { errors };
    if (this.isNew) return { input: Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== null)) };
    if (!Object.keys(changes).length) return { input: null };
    return { input: { idNumber: this.stored.idNumber, expectedVersion: this.version, ...changes } };
  }

  /** Errors the server found (a check the page cannot make, e.g. a duplicate); answers those not at a field. */
  setServerErrors(fieldErrors) {
    const rest = [];
    for (const e of fieldErrors) {
      const key = e.path?.[e.path.length - 1];
      if (this.rows.get(key)?.control) this.serverErrors.set(key, e.message);
      else rest.push(e.message);
    }
    this.refresh();
    return rest;
  }

  focusFirstError() {
    const row = this.el.querySelector('.field.invalid');
    if (!row) return;
    row.closest('details').open = true;
    row.querySelector('input, select, textarea')?.focus();
  }

  /** After a save: the saved record is what is stored now. */
  saved(resident) {
    this.crossWarnings = this.crossOf(resident);
    this.stored = recordOf(this.fields, resident);
    this.version = resident.version;
    this.rows.get('idNumber').control.el.readOnly = true;
    this.touched.clear();
    this.serverErrors.clear();
    this.showAll = false;
    this.write(this.stored);
  }

  /** After a conflict: take the current record and version, then put this person's own changes back on top. */
  rebase(current, version, mine) {
    this.stored = recordOf(this.fields, current);
    this.version = version;
    this.write({ ...this.stored, ...mine });
    for (const key of Object.keys(mine)) {
      const details = this.rows.get(key)?.row?.closest('details');
      if (details) details.open = true; // the re-applied changes stay in view
    }
  }
}
