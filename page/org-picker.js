// Choosing where to work: a grid worker's grid is fixed; community staff pick a grid; a street office a community, then a grid.

import { gql } from './api.js';
import { h, uid } from './dom.js';

const CHILDREN = `query ($code: String) { orgUnits(parentCode: $code) { code name level levelName } }`;
const UNIT = `query ($code: String!) { orgUnit(code: $code) { code name level levelName } }`;
const LEVEL_NAMES = { district: '区县', street: '街道', community: '社区', grid: '网格' };

/**
 * @param {{ account: any, onChange: (choice: { scope: any, grid: any|null }) => void }} o
 *   scope: the unit to search in (the deepest chosen); grid: the chosen grid (where new residents are registered)
 */
export async function orgPicker({ account, onChange }) {
  const el = h('div', { class: 'org-picker' });
  const top = account.orgUnitCode ? (await gql(UNIT, { code: account.orgUnitCode })).orgUnit : null;
  const chain = []; // [{ unit, select }] from the account's unit down

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
    const entry = { field: h('div', { class: 'field' }, h('label', { for: id }, levelName), select), chosen: null };
    chain.push(entry);
    el.append(entry.field);
    select.addEventListener('change', async () => {
      entry.chosen = units.find((u) => u.code === select.value) ?? null;
      if (entry.chosen && entry.chosen.level !== 'grid') await addLevel(entry.chosen, depth + 1);
      else {
        chain.splice(depth + 1).forEach((c) => c.field.remove());
        emit();
      }
    });
    emit();
  }

  if (top?.level === 'grid') {
    el.append(h('p', { class: 'fixed-unit' }, h('span', { class: 'muted' }, '网格 '), h('strong', {}, top.name)));
    queueMicrotask(emit);
  } else {
    if (top) el.append(h('p', { class: 'fixed-unit' }, h('span', { class: 'muted' }, `${top.levelName} `), h('strong', {}, top.name)));
    await addLevel(top, 0);
  }
  return { el, top };
}
