// One input control per field type. read() gives the raw value the shared validator expects (strings as typed,
// numbers, booleans, codes; null when empty); write() shows a stored value.

import { h } from './dom.js';
import { todayIso } from '/page/shared/identity/index.js';

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/**
 * @param {object} field  the oneForm field (label, type, options)
 * @param {object} def    the dictionary FieldDef (rules)
 * @param {{ id: string, describedBy: string, staff: {id:number, staffName:string, staffDuty:string}[] }} ctx
 */
export function createControl(field, def, ctx) {
  const common = { id: ctx.id, name: field.key, 'aria-describedby': ctx.describedBy, 'aria-required': def.required ? 'true' : null };
  switch (field.type) {
    case 'code':
      return selectControl(common, [['', '（未填）'], ...(field.options ?? []).map((o) => [o.code, o.name])], String);
    case 'boolean':
      return selectControl(common, [['', '（未填）'], ['true', '是'], ['false', '否']], (v) => String(v));
    case 'staffRef':
      return staffControl(common, ctx.staff);
    case 'integer':
    case 'decimal':
      return numberControl(common, field.type === 'integer' ? 'numeric' : 'decimal');
    case 'date':
    case 'month': {
      const el = h('input', { ...common, type: field.type, max: def.notAfterToday ? todayIso().slice(0, field.type === 'date' ? 10 : 7) : null });
      return textLike(el, true);
    }
    case 'idNumber':
      return textLike(h('input', { ...common, type: 'text', autocomplete: 'off', spellcheck: 'false', inputmode: 'text', class: 'mono' }));
    case 'phone':
      return textLike(h('input', { ...common, type: 'tel', inputmode: 'tel', autocomplete: 'off' }));
    default: {
      const long = (def.maxLength ?? 0) > 200;
      return textLike(long ? h('textarea', { ...common, rows: 3 }) : h('input', { ...common, type: 'text', autocomplete: 'off' }));
    }
  }
}

/** Text inputs: the typed string ('' when empty), or null for empty date/month inputs. */
function textLike(el, emptyIsNull = false) {
  return {
    el,
    read: () => (emptyIsNull && el.value === '' ? null : el.value),
    write: (v) => { el.value = v ?? ''; },
  };
}

function selectControl(common, options, toValue) {
  // Names only: people pick 独居, not 1 (and typing 汉 finds 汉族 in a long list).
  const el = h('select', common, options.map(([value, name]) => h('option', { value }, name)));
  return {
    el,
    read: () => (el.value === '' ? null : el.value === 'true' ? true : el.value === 'false' ? false : el.value),
    write: (v) => { el.value = v === null || v === undefined ? '' : toValue(v); },
  };
}

function staffControl(common, staff) {
  const duty = { 1: '网格员', 2: '社区干部', 3: '街道干部' };
  const el = h('select', common, h('option', { value: '' }, '（未填）'), staff.map((s) => h('option', { value: String(s.id) }, `${s.staffName}（${duty[s.staffDuty] ?? '工作人员'}）`)));
  return {
    el,
    read: () => (el.value === '' ? null : Number(el.value)),
    write: (v) => {
      // A cadre from outside today's list still shows (as its number) rather than silently becoming empty.
      if (v != null && ![...el.options].some((o) => o.value === String(v))) el.append(h('option', { value: String(v) }, `工作人员 ${v}`));
      el.value = v == null ? '' : String(v);
    },
  };
}

/** Numbers are typed as text (a phone keypad on mobile); anything not a number goes to the validator as typed. */
function numberControl(common, inputmode) {
  const el = h('input', { ...common, type: 'text', inputmode, autocomplete: 'off' });
  return {
    el,
    read: () => {
      const v = el.value.trim().replace(/[０-９．]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
      if (v === '') return null;
      return NUMBER.test(v) ? Number(v) : v;
    },
    write: (v) => { el.value = v === null || v === undefined ? '' : String(v); },
  };
}
