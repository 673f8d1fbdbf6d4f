import { type Dictionary, storedFieldsOf } from '../dictionary/dictionary.types.js';
import { ageOn, parseIdNumber, todayIso } from '../identity/index.js';
import { type LedgerRow, propertyOf } from './entities/ledger.entities.js';

/** A resident as read back: stored facts, their household's facts and what the ID number says. */
export type ResidentView = LedgerRow & { id: number; version: number; idNumber: string; gridCode: string; age: number | null };

/** A resident row with its household's facts, and sex, birth date and age read from the ID number. */
export function residentView(dictionary: Dictionary, row: LedgerRow, household: LedgerRow | null, today = todayIso()): ResidentView {
  const id = parseIdNumber(row.idNumber, '9999-12-31');
  const birthDate = id.ok ? id.value.birthDate : null;
  return {
    ...row,
    ...householdFacts(dictionary, household),
    gender: id.ok ? id.value.gender : null,
    birthDate,
    age: birthDate ? ageOn(birthDate, today) : null,
  } as unknown as ResidentView;
}

/** The facts of a resident as the audit log records them (and a conflict shows them): dictionary keys and the grid. */
export function residentFacts(dictionary: Dictionary, view: LedgerRow): Record<string, unknown> {
  return { gridCode: view.gridCode, ...Object.fromEntries(storedFieldsOf(dictionary, 'resident', 'household').map((f) => [f.key, view[propertyOf(f)] ?? null])) };
}

/** A household's own facts (address, 住所类型, 房东) by dictionary key: those its members share. */
export function householdFacts(dictionary: Dictionary, household: LedgerRow | null): Record<string, unknown> {
  return Object.fromEntries(storedFieldsOf(dictionary, 'household').map((f) => [f.key, household?.[propertyOf(f)] ?? null]));
}

/** The name of a deregistration reason code (迁出, 死亡, 其他). */
export function deregistrationReasonName(dictionary: Dictionary, code: unknown): string | null {
  if (code === null || code === undefined) return null;
  return dictionary.codeLists.get('deregistration-reason')?.byCode.get(String(code))?.name ?? String(code);
}

/** When and why a resident left, as a message says it: "2026-11-20 注销（死亡）". */
export function deregistrationText(dictionary: Dictionary, row: LedgerRow): string {
  return `${row.deregisteredOn} 注销（${deregistrationReasonName(dictionary, row.deregistrationReason)}）`;
}
