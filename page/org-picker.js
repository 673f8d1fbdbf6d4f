// Choosing where to work: a grid worker's grid is fixed; community staff pick a grid; a street office a community, then a grid.

import { gql } from './api.js';
import { h, uid } from './dom.js';

const CHILDREN = `query ($code: String) { orgUnits(parentCode: $code) { code name level levelName } }`;
const UNIT = `query ($code: String!) { orgUnit(code: $code) { code name level levelName } }`;
const LEVEL_NAMES = { district: '区县', street: '街道', community: '社区', grid: '网格' };
/** The digits of a code that its descendants' codes start with (DEVELOPERS.md, Views). */
const OWN_DIGITS = { district: 6, street: 9, community: 12, grid: 15 };

/**
 * @param {{ account: any, onChange: (choice: { scope: any, grid: any|null }) => void }} o
 *   scope: the unit to search in (the deepest chosen); grid: the chosen grid (where new residents are registered)
 */
export async function orgPicker({ account, onChange }) {
  const el = h('div', { class: 'org-picker' });
  const top = account.orgUnitCode ? (await gql(UNIT, { code: account.orgUnitCode })).orgUnit : null;
  const chain = []; // [{ field, units, select, chosen, pick }] from the account's unit down

  const emit = () => {
    const chosen = chain.map((c) => c.chosen).filter(Boolean);
    const scope = chosen.at(-1) ?? top;
    onChange({ scope, grid: scope?.level === 'grid' ? scope : null });
  };

  /** Adds a select for the children of a unit (or the districts, for an administrator). */
  async function addLevel(parent, depth) {
    chain.splice(depth).forEach((c) => c.field.remove());
    const units = (await gql(CHILDREN, { code: parent?.code ?? null })).orgUnits;
    if (!units.length) return emit();
    const id = uid('org');
    const levelName = units[0].levelName ?? LEVEL_NAMES[units[0].level];
    const allLabel = parent ? `全部${levelName}（${parent.name}）` : `请选择${levelName}`;
    const select = h('select', { id }, h('option', { value: '' }, allLabel), units.map((u) => h('option', { value: u.code }, u.name)));
    const entry = { field: h('div', { class: 'field' }, h('label', { for: id }, levelName), select), chosen: null, units, select, pick };
    chain.push(entry);
    el.append(entry.field);
    async function pick() {
      entry.chosen = units.find((u) => u.code === select.value) ?? null;
      if (entry.chosen && entry.chosen.level !== 'grid') await addLevel(entry.chosen, depth + 1);
      else {
        chain.splice(depth + 1).forEach((c) => c.field.remove());
        emit();
      }
    }
    select.addEventListener('change', pick);
    emit();
  }

  /** Selects, level by level, the units down to code (a draft's grid shown where it was chosen). */
  async function choose(code) {
    for (let depth = 0; depth < chain.length; depth++) {
      const { units, select, pick } = chain[depth];
      const unit = units.find((u) => code.startsWith(u.code.slice(0, OWN_DIGITS[u.level] ?? u.code.length)));
      if (!unit) return;
      select.value = unit.code;
      await pick();
    }
  }

  if (top?.level === 'grid') {
    el.append(h('p', { class: 'fixed-unit' }, h('span', { class: 'muted' }, '网格 '), h('strong', {}, top.name)));
    queueMicrotask(emit);
  } else {
    if (top) el.append(h('p', { class: 'fixed-unit' }, h('span', { class: 'muted' }, `${top.levelName} `), h('strong', {}, top.name)));
    await addLevel(top, 0);
  }
  return { el, top, choose };
}
