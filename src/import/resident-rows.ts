import { validateRecord, type Values } from '../dictionary/field-validator.js';
import { evaluateRules, touches } from '../quality/quality-rules.js';
import type { RowPlan } from './import.types.js';
import { normalName, roadOf, type StoredResident } from './ledger-snapshot.js';
import { nothingNew, type RowWork, sameValue } from './row-context.js';

/**
 * A row of a resident form (F01–F03, F05–F07): matched by ID number; creates the resident, or fills what the
 * ledger lacks; a value that differs from the ledger is a conflict for the user to decide, never overwritten.
 */
export function analyzeResidentRow(work: RowWork): RowPlan {
  const { ctx, reversed, outcome } = work;
  const { snapshot } = ctx;
  const idNumber = typeof reversed.values.idNumber === 'string' ? reversed.values.idNumber : null;
  outcome.subject = idNumber ?? '';
  outcome.name = typeof reversed.values.name === 'string' ? reversed.values.name : null;
  if (!idNumber) work.error('idNumber', 'REQUIRED', '公民身份号码：必填，导入按它识别居民');
  else if (ctx.seen.has(idNumber)) work.error('idNumber', 'DUPLICATE_ROW', `与第 ${ctx.seen.get(idNumber)} 行是同一人（公民身份号码相同）`);
  else ctx.seen.set(idNumber, work.source.row);

  const stored = idNumber ? snapshot.residents.get(idNumber) : undefined;
  if (stored && !ctx.reaches(stored.gridCode)) {
    work.error('idNumber', 'RESIDENT_ELSEWHERE', '该居民已在其他网格或社区登记；如已迁入本辖区，请由原社区或街道办理迁移');
  } else if (stored?.facts.deregisteredOn) {
    // An old ledger still lists people who left: never written back onto them (their record is history now).
    work.error('idNumber', 'RESIDENT_DEREGISTERED', `该居民已于 ${stored.facts.deregisteredOn} 注销，不再导入；如系误注销请先在一表通页面恢复，迁回的请重新登记`);
  }
  const gridCode = gridOf(work, stored);
  const input: Values = { ...reversed.values };
  const liaison = staffOf(work, 'liaisonStaff');
  if (liaison !== undefined) input.liaisonStaff = liaison;
  // Facts the form's own filter implies (a person on F01 lives alone) count as given by the file.
  for (const [key, value] of Object.entries(ctx.plan.implied)) if (!(key in input)) input[key] = value;
  if (!stored && !gridCode && !work.failed) {
    work.error(null, 'GRID_UNKNOWN', '新居民须有所属网格：本行没有所属网格，现居住地址也不在本社区任何一户；请按网格导入（--org 网格代码）或先在一表通中登记');
  }
  if (work.failed) return { outcome: { ...outcome, kind: 'error' }, op: null };

  const check = validateRecord(ctx.dict, ['resident', 'household'], input, stored?.facts ?? null, ctx.today);
  work.fieldErrors(check.errors);
  if (work.failed) return { outcome: { ...outcome, kind: 'error' }, op: null };

  const fills: Values = {};
  const conflicts: Values = {};
  for (const [key, value] of Object.entries(check.changes)) {
    const ledger = stored?.facts[key];
    if (stored && nothingNew(work.ctx, key, ledger, value)) continue;
    if (value === null) continue; // a blank cell never clears the ledger
    if (!stored || ledger === null || ledger === undefined || ledger === '') {
      fills[key] = value;
      outcome.changes.push(work.diff(key, ledger, value));
    } else {
      conflicts[key] = value;
      outcome.conflicts.push(work.diff(key, ledger, value));
    }
  }
  if (stored && gridCode && gridCode !== stored.gridCode) {
    conflicts.gridCode = gridCode;
    outcome.conflicts.push(work.diff('gridCode', snapshot.gridNames.get(stored.gridCode) ?? stored.gridCode, snapshot.gridNames.get(gridCode) ?? gridCode));
  }
  qualityRules(work, stored?.facts ?? null, { ...fills, ...conflicts }, check.derived);
  if (work.failed) return { outcome: { ...outcome, kind: 'error' }, op: null };
  if (!stored) outcome.changes.unshift(work.diff('gridCode', null, snapshot.gridNames.get(gridCode!) ?? gridCode));
  outcome.kind = !stored ? 'create' : outcome.conflicts.length ? 'conflict' : outcome.changes.length ? 'update' : 'unchanged';
  return {
    outcome,
    op: outcome.kind === 'unchanged' ? null : { entity: 'resident', idNumber: idNumber!, id: stored?.id ?? null, version: stored?.version ?? null, gridCode: stored ? null : gridCode, values: fills, conflicts },
  };
}

/**
 * The record-level data-quality rules on the resident as the row would leave them (the file's values taken): those
 * the row brings in — it creates the resident or gives a value the rule reads — are row errors (severity error: the
 * commit would refuse them) or row warnings. Cross-record checks (same household, same phone) run at the commit and
 * show in the community's report (qualityWarnings).
 */
function qualityRules(work: RowWork, stored: Values | null, values: Values, derived: Values): void {
  const given = Object.keys(values);
  if (stored && !given.length) return;
  const facts = { ...(stored ?? {}), ...values, ...derived };
  for (const finding of evaluateRules(work.ctx.rules, facts, null, work.ctx.today)) {
    const rule = work.ctx.rules.find((r) => r.id === finding.rule)!;
    if (stored && !touches(rule, given)) continue;
    const field = finding.fields.find((f) => f in values) ?? finding.fields[0];
    if (finding.severity === 'error') work.error(field, finding.code, finding.message);
    else work.warn(field, finding.code, finding.message);
  }
}

/**
 * The row's grid: its 所属网格 by name; the import's own grid; where the ledger has the resident; or the one grid
 * with a household at the row's address (the same address in a grid is the same household).
 */
function gridOf(work: RowWork, stored: StoredResident | undefined): string | null {
  const { snapshot } = work.ctx;
  const name = work.reversed.lookups.gridName;
  if (name) {
    const code = snapshot.grids.get(normalName(name));
    if (!code) work.error(null, 'UNKNOWN_GRID', `所属网格"${name}"不是${snapshot.unit.name}的网格（可用：${[...snapshot.gridNames.values()].join('、')}）`);
    return code ?? null;
  }
  if (snapshot.unit.level === 'grid') return snapshot.unit.code;
  if (stored) return null; // stays where it is
  const address = work.reversed.values.currentAddress;
  const grids = typeof address === 'string' ? snapshot.addressGrids.get(address) : undefined;
  if (grids?.length === 1) {
    work.warn('currentAddress', 'GRID_FROM_ADDRESS', `本表没有所属网格一列：按同一地址的住户归入${snapshot.gridNames.get(grids[0])}`);
    return grids[0];
  }
  // Otherwise the grid of the other households on the same road, when they all lie in one grid.
  const road = typeof address === 'string' ? roadOf(address) : null;
  const onRoad = road ? [...(snapshot.roadGrids.get(road) ?? [])] : [];
  if (onRoad.length === 1) {
    work.warn('currentAddress', 'GRID_FROM_ROAD', `本表没有所属网格一列：按同一道路（${road!.slice(-8)}）的住户归入${snapshot.gridNames.get(onRoad[0])}，请核对`);
    return onRoad[0];
  }
  return null;
}

/** A staff member named in a relation column (包联干部, 走访人): their id, undefined when not given. */
export function staffOf(work: RowWork, relation: string): number | undefined {
  const given = work.reversed.lookups.related[relation];
  const name = given?.staffName;
  if (typeof name !== 'string' || !name) return undefined;
  const ids = work.ctx.snapshot.staffByName.get(normalName(name)) ?? [];
  const field = relation === 'liaisonStaff' ? 'liaisonStaff' : null;
  if (ids.length === 0) work.error(field, 'UNKNOWN_STAFF', `"${name}"不是本社区或其上级单位登记的工作人员，请先在工作人员中登记`);
  else if (ids.length > 1) work.error(field, 'AMBIGUOUS_STAFF', `本社区有 ${ids.length} 位名为"${name}"的工作人员，无法确定是哪一位`);
  else {
    const phone = given.staffPhone;
    const known = work.ctx.snapshot.staffNames.get(ids[0])?.phone;
    if (typeof phone === 'string' && phone && known && !sameValue(phone, known)) {
      work.warn(field, 'STAFF_PHONE_DIFFERS', `工作人员"${name}"的电话在台账中为 ${known}，与本行的 ${phone} 不同（电话以工作人员记录为准，不会修改）`);
    }
    return ids[0];
  }
  return undefined;
}
