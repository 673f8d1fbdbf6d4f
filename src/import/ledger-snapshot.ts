import type { EntityManager } from 'typeorm';
import { RowMapper } from '../database/row-mapper.js';
import { type Dictionary, storedFieldsOf } from '../dictionary/dictionary.types.js';
import type { Values } from '../dictionary/field-validator.js';
import { ENTITY_NAMES, type LedgerRow, propertyOf } from '../ledger/entities/ledger.entities.js';
import type { GrantedUnit } from '../access/access-policy.js';
import { dialectFor } from '../views/sql-dialect.js';

/** A resident as an import compares with: its facts by dictionary key (household's included), where it lives. */
export interface StoredResident {
  id: number;
  version: number;
  gridCode: string;
  householdId: number | null;
  facts: Values;
}

const CHUNK = 500;

/**
 * What an import needs to know of the ledger, read in a few queries (not one per row): the grids and staff of the
 * community by name, the residents the file names by ID number, the community's households by address, and for
 * visit and business forms, the records those may match. Read with the caller's manager: inside the commit's
 * transaction, it is what the commit applies to.
 */
export class LedgerSnapshot {
  readonly grids = new Map<string, string>(); // grid name → code
  readonly gridNames = new Map<string, string>(); // code → name
  readonly staffByName = new Map<string, number[]>();
  readonly staffNames = new Map<number, { name: string; phone: string | null }>();
  readonly residents = new Map<string, StoredResident>(); // by ID number
  /** `${gridCode}|${address}` → household id. */
  readonly households = new Map<string, number>();
  /** Address → the grids having a household there (to place a newcomer from a form without a grid column). */
  readonly addressGrids = new Map<string, string[]>();
  /** Road (the address up to the road's name) → the grids having households on it. */
  readonly roadGrids = new Map<string, Set<string>>();
  readonly residentsByGridName = new Map<string, { id: number; idNumber: string }[]>();
  readonly visits = new Map<string, LedgerRow>(); // `${residentId}|${date}|${staffId}`
  readonly businesses: LedgerRow[] = [];

  private constructor(
    readonly unit: GrantedUnit,
  ) {}

  static async load(manager: EntityManager, dict: Dictionary, unit: GrantedUnit, needs: { idNumbers: string[]; visits: boolean; businesses: boolean }): Promise<LedgerSnapshot> {
    const s = new LedgerSnapshot(unit);
    const postgres = manager.connection.options.type === 'postgres';
    const p = dialectFor(postgres).param;
    const range = [unit.range.from, unit.range.to];
    // Grids of the community (or the one grid); staff of the community and the units above it.
    const community = unit.code.slice(0, 12);
    for (const g of await manager.query(`SELECT code, name FROM org_units WHERE level = 'grid' AND code >= ${p(1)} AND code < ${p(2)}`, range)) {
      s.grids.set(normalName(g.name), g.code);
      s.gridNames.set(g.code, g.name);
    }
    const staffUnits = [community, `${community.slice(0, 9)}000`, `${community.slice(0, 6)}000000`];
    const staff = await manager.query(
      `SELECT id, staff_name, staff_phone, org_unit_code FROM staff WHERE (org_unit_code >= ${p(1)} AND org_unit_code < ${p(2)}) OR org_unit_code IN (${p(3)}, ${p(4)}, ${p(5)})`,
      [community, `${community}:`, ...staffUnits],
    );
    for (const st of staff) {
      const key = normalName(st.staff_name);
      s.staffByName.set(key, [...(s.staffByName.get(key) ?? []), Number(st.id)]);
      s.staffNames.set(Number(st.id), { name: st.staff_name, phone: st.staff_phone });
    }
    for (const h of await manager.query(`SELECT id, grid_code, current_address FROM households WHERE grid_code >= ${p(1)} AND grid_code < ${p(2)}`, range)) {
      s.households.set(`${h.grid_code}|${h.current_address}`, Number(h.id));
      s.addressGrids.set(h.current_address, [...(s.addressGrids.get(h.current_address) ?? []), h.grid_code]);
      const road = roadOf(h.current_address);
      if (road) s.roadGrids.set(road, (s.roadGrids.get(road) ?? new Set()).add(h.grid_code));
    }
    await s.loadResidents(manager, dict, [...new Set(needs.idNumbers)], postgres);
    if (needs.visits) await s.loadVisits(manager, range, p);
    if (needs.businesses) s.businesses.push(...(await manager.getRepository<LedgerRow>(ENTITY_NAMES.business).createQueryBuilder('b').where('b.gridCode >= :a AND b.gridCode < :b', { a: range[0], b: range[1] }).getMany()));
    return s;
  }

  /** Residents by ID number wherever they live (one registered in another area must not be registered twice). */
  private async loadResidents(manager: EntityManager, dict: Dictionary, idNumbers: string[], postgres: boolean): Promise<void> {
    const residents = RowMapper.for(manager.connection, ENTITY_NAMES.resident);
    const households = RowMapper.for(manager.connection, ENTITY_NAMES.household);
    const residentFields = storedFieldsOf(dict, 'resident');
    const householdFields = storedFieldsOf(dict, 'household');
    for (let i = 0; i < idNumbers.length; i += CHUNK) {
      const chunk = idNumbers.slice(i, i + CHUNK);
      const list = chunk.map((_, k) => (postgres ? `$${k + 1}` : '?')).join(', ');
      const rows: Record<string, unknown>[] = await manager.query(`SELECT * FROM residents WHERE id_number IN (${list})`, chunk);
      const records = rows.map((r) => residents.toRecord(r));
      const householdIds = [...new Set(records.map((r) => r.householdId).filter((id): id is number => !!id))];
      const byId = new Map<number, LedgerRow>();
      if (householdIds.length) {
        const hlist = householdIds.map((_, k) => (postgres ? `$${k + 1}` : '?')).join(', ');
        for (const h of await manager.query(`SELECT * FROM households WHERE id IN (${hlist})`, householdIds)) byId.set(Number(h.id), households.toRecord(h));
      }
      for (const r of records) {
        const h = r.householdId ? byId.get(r.householdId) : undefined;
        const facts: Values = {};
        for (const f of residentFields) facts[f.key] = r[propertyOf(f)] ?? null;
        for (const f of householdFields) facts[f.key] = h?.[propertyOf(f)] ?? null;
        this.residents.set(r.idNumber, { id: r.id, version: r.version, gridCode: r.gridCode, householdId: r.householdId ?? null, facts });
      }
    }
  }

  private async loadVisits(manager: EntityManager, range: string[], p: (n: number) => string): Promise<void> {
    const people = await manager.query(`SELECT id, grid_code, name, id_number FROM residents WHERE grid_code >= ${p(1)} AND grid_code < ${p(2)}`, range);
    for (const r of people) {
      const key = `${r.grid_code}|${normalName(r.name)}`;
      this.residentsByGridName.set(key, [...(this.residentsByGridName.get(key) ?? []), { id: Number(r.id), idNumber: r.id_number }]);
    }
    const visits = RowMapper.for(manager.connection, ENTITY_NAMES.visit);
    const rows = await manager.query(`SELECT v.* FROM visits v JOIN residents r ON r.id = v.resident_id WHERE r.grid_code >= ${p(1)} AND r.grid_code < ${p(2)}`, range);
    for (const row of rows) {
      const v = visits.toRecord(row);
      this.visits.set(`${v.residentId}|${v.visitDate}|${v.staffId}`, v);
    }
  }
}

/** Names compared as people write them: without spaces (全角 included). */
export function normalName(name: string): string {
  return String(name).replace(/\s+/gu, '');
}

/** An address up to its road's name (…桥北路12号3栋 → …桥北路): grids are drawn along roads and buildings. */
export function roadOf(address: string): string | null {
  return /^(.*?(?:路|街|大道|巷|弄|胡同|道))\s*\d+\s*号/u.exec(address)?.[1] ?? null;
}
