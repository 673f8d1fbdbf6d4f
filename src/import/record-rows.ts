import { validateRecord, type Values } from '../dictionary/field-validator.js';
import { propertyOf, type LedgerRow } from '../ledger/entities/ledger.entities.js';
import type { RowPlan } from './import.types.js';
import { normalName } from './ledger-snapshot.js';
import { staffOf } from './resident-rows.js';
import { nothingNew, type RowWork, sameValue } from './row-context.js';

/** Compares validated values with a stored record: fills of empty fields and conflicts, into the outcome. */
function compare(work: RowWork, changes: Values, stored: Values | null): { fills: Values; conflicts: Values } {
  const fills: Values = {};
  const conflicts: Values = {};
  for (const [key, value] of Object.entries(changes)) {
    const ledger = stored?.[key];
    if (value === null || (stored && nothingNew(work.ctx, key, ledger, value))) continue;
    if (!stored || ledger === null || ledger === undefined || ledger === '') {
      fills[key] = value;
      work.outcome.changes.push(work.diff(key, ledger, value));
    } else {
      conflicts[key] = value;
      work.outcome.conflicts.push(work.diff(key, ledger, value));
    }
  }
  return { fills, conflicts };
}

function kindOf(work: RowWork, created: boolean): RowPlan['outcome']['kind'] {
  return created ? 'create' : work.outcome.conflicts.length ? 'conflict' : work.outcome.changes.length ? 'update' : 'unchanged';
}

const factsOf = (work: RowWork, entity: 'visit' | 'business', row: LedgerRow): Values =>
  Object.fromEntries(work.ctx.dict.fields.filter((f) => f.entity === entity && f.column).map((f) => [f.key, row[propertyOf(f)] ?? null]));

/**
 * A row of F04 (one visit): the visited person is named by grid and name (the form has no ID number), the visitor
 * by name; the same person, day and visitor is the same visit.
 */
export function analyzeVisitRow(work: RowWork): RowPlan {
  const { ctx, reversed, outcome } = work;
  const { snapshot } = ctx;
  const name = reversed.lookups.related.resident?.name;
  outcome.name = typeof name === 'string' ? name : null;
  outcome.subject = `${reversed.values.visitDate ?? ''} ${outcome.name ?? ''}`.trim();
  const grid = reversed.lookups.gridName ? snapshot.grids.get(normalName(reversed.lookups.gridName)) : snapshot.unit.level === 'grid' ? snapshot.unit.code : undefined;
  if (reversed.lookups.gridName && !grid) work.error(null, 'UNKNOWN_GRID', `所属网格"${reversed.lookups.gridName}"不是${snapshot.unit.name}的网格`);
  let residentId: number | undefined;
  if (typeof name !== 'string' || !name) work.error(null, 'REQUIRED', '走访对象：必填');
  else if (grid) {
    const people = snapshot.residentsByGridName.get(`${grid}|${normalName(name)}`) ?? [];
    if (people.length === 1) residentId = people[0].id;
    else if (people.length === 0) work.error(null, 'UNKNOWN_RESIDENT', `${snapshot.gridNames.get(grid)}没有名为"${name}"的居民，请先导入或登记该居民`);
    else work.error(null, 'AMBIGUOUS_RESIDENT', `${snapshot.gridNames.get(grid)}有 ${people.length} 位名为"${name}"的居民，本表没有公民身份号码，无法确定是哪一位`);
  }
  const staffId = staffOf(work, 'staff');
  if (staffId === undefined && !work.failed) work.error(null, 'REQUIRED', '走访人：必填');
  if (work.failed || residentId === undefined || staffId === undefined) return { outcome: { ...outcome, kind: 'error' }, op: null };

  const date = reversed.values.visitDate;
  const stored = snapshot.visits.get(`${residentId}|${date}|${staffId}`) ?? null;
  const key = `${residentId}|${date}|${staffId}`;
  if (ctx.seen.has(key)) work.error('visitDate', 'DUPLICATE_ROW', `与第 ${ctx.seen.get(key)} 行是同一次走访（同一对象、日期、走访人）`);
  ctx.seen.set(key, work.source.row);
  const storedFacts = stored ? factsOf(work, 'visit', stored) : null;
  const check = validateRecord(ctx.dict, ['visit'], reversed.values, storedFacts, ctx.today);
  work.fieldErrors(check.errors);
  if (work.failed) return { outcome: { ...outcome, kind: 'error' }, op: null };
  const { fills, conflicts } = compare(work, check.changes, storedFacts);
  outcome.kind = kindOf(work, !stored);
  return { outcome, op: outcome.kind === 'unchanged' ? null : { entity: 'visit', id: stored?.id ?? null, version: stored?.version ?? null, residentId, staffId, values: fills, conflicts } };
}

/**
 * A row of F08 (one business): matched by credit code, or by grid, name and operator; the operator is a resident
 * named by ID number. One the ledger lacks is registered with what the row says of them (name, phone, the
 * business's grid) and nothing more: their address stays to be filled in.
 */
export function analyzeBusinessRow(work: RowWork): RowPlan {
  const { ctx, reversed, outcome } = work;
  const { snapshot } = ctx;
  outcome.name = typeof reversed.values.businessName === 'string' ? reversed.values.businessName : null;
  outcome.subject = String(reversed.values.creditCode ?? reversed.values.businessName ?? '');
  const gridName = reversed.lookups.gridName;
  const gridCode = gridName ? snapshot.grids.get(normalName(gridName)) : snapshot.unit.level === 'grid' ? snapshot.unit.code : undefined;
  if (gridName && !gridCode) work.error(null, 'UNKNOWN_GRID', `所属网格"${gridName}"不是${snapshot.unit.name}的网格`);
  if (!gridCode && !gridName) work.error(null, 'REQUIRED', '所属网格：必填');
  const operatorId = typeof reversed.values.operator === 'string' ? reversed.values.operator : null;
  const operator = operatorId ? snapshot.residents.get(operatorId) : undefined;
  if (operator && !ctx.reaches(operator.gridCode)) work.error('operator', 'RESIDENT_ELSEWHERE', '经营者已在其他社区登记，本社区看不到其信息');
  const given = reversed.lookups.related.operator ?? {};
  if (operator) {
    for (const [key, value] of Object.entries(given)) {
      if (value !== undefined && !sameValue(operator.facts[key], value)) {
        work.warn('operator', 'OPERATOR_DIFFERS', `经营者的${work.label(key)}在居民记录中为"${operator.facts[key] ?? ''}"，本行为"${value}"（以居民记录为准，不会修改）`);
      }
    }
  }
  if (work.failed) return { outcome: { ...outcome, kind: 'error' }, op: null };

  const stored = snapshot.businesses.find((b) =>
    reversed.values.creditCode ? b.creditCode === reversed.values.creditCode : b.gridCode === gridCode && b.businessName === reversed.values.businessName && b.operatorId === operator?.id) ?? null;
  const storedFacts = stored ? { ...factsOf(work, 'business', stored), operator: operatorId } : null;
  // The operator is checked (and registered if new) by the writer; here only its ID number is validated.
  const check = validateRecord(ctx.dict, ['business'], reversed.values, storedFacts, ctx.today);
  work.fieldErrors(check.errors);
  if (!operator && operatorId && !work.failed) {
    if (typeof given.name !== 'string' || !given.name) work.error('operator', 'UNKNOWN_RESIDENT', '经营者尚未登记为居民，本行也没有经营者姓名，无法登记');
    else work.warn('operator', 'OPERATOR_REGISTERED', `经营者${given.name}尚未登记为居民：将按本行的姓名、电话登记到${gridName ?? '本网格'}，现居住地址待补录`);
  }
  if (work.failed) return { outcome: { ...outcome, kind: 'error' }, op: null };
  const { fills, conflicts } = compare(work, check.changes, storedFacts);
  outcome.kind = kindOf(work, !stored);
  const named = operatorId ? { idNumber: operatorId, name: typeof given.name === 'string' ? given.name : null, phone: typeof given.phone === 'string' ? given.phone : null } : null;
  return { outcome, op: outcome.kind === 'unchanged' ? null : { entity: 'business', id: stored?.id ?? null, version: stored?.version ?? null, gridCode: gridCode ?? null, values: fills, conflicts, operator: named } };
}
