import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { CodeRange } from '../access/access-policy.js';
import { RowMapper } from '../database/row-mapper.js';
import { ENTITY_NAMES, type LedgerRow } from '../ledger/entities/ledger.entities.js';
import { PREFIX_LENGTH } from '../ledger/org-codes.js';
import type { CrossCheck } from './quality-rules.js';

/** A resident's cross-record facts, by resident id. */
export type CrossFactsById = Map<number, Record<CrossCheck, boolean>>;

const C = PREFIX_LENGTH.community;

/**
 * The named cross-record checks of templates/rules.yaml as SQL (valid on SQLite and PostgreSQL alike): a column each,
 * 1 when it holds for the resident `r`. Only residents on the ledger (not 注销) count as the others.
 * - householdHasOtherMembers: someone else in the same household.
 * - phoneInOtherHousehold: someone else with the same phone, in the same community (its grids are one code range,
 *   the first 12 digits), in another household or none (found from IDX_residents_phone).
 */
const CHECK_COLUMNS = `
  CASE WHEN r.household_id IS NOT NULL AND EXISTS (
    SELECT 1 FROM residents o WHERE o.household_id = r.household_id AND o.id <> r.id AND o.deregistered_on IS NULL
  ) THEN 1 ELSE 0 END AS q_household,
  CASE WHEN r.phone IS NOT NULL AND EXISTS (
    SELECT 1 FROM residents o WHERE o.phone = r.phone AND o.id <> r.id AND o.deregistered_on IS NULL
      AND o.grid_code >= substr(r.grid_code, 1, ${C}) AND o.grid_code < substr(r.grid_code, 1, ${C}) || ':'
      AND (o.household_id IS NULL OR r.household_id IS NULL OR o.household_id <> r.household_id)
  ) THEN 1 ELSE 0 END AS q_phone`;

const crossOf = (row: Record<string, unknown>): Record<CrossCheck, boolean> => ({
  householdHasOtherMembers: Number(row.q_household) === 1,
  phoneInOtherHousehold: Number(row.q_phone) === 1,
});

/** All SQL of the data-quality checks. */
@Injectable()
export class QualityRepository {
  private readonly residents: RowMapper;

  constructor(private readonly dataSource: DataSource) {
    this.residents = RowMapper.for(dataSource, ENTITY_NAMES.resident);
  }

  /** The cross-record facts of some residents, read through the caller's transaction (a save sees its own writes). */
  async crossFacts(manager: EntityManager, ids: number[]): Promise<CrossFactsById> {
    const facts: CrossFactsById = new Map();
    const unique = [...new Set(ids)];
    for (let start = 0; start < unique.length; start += 500) {
      const chunk = unique.slice(start, start + 500);
      const rows: Record<string, unknown>[] = await manager.query(
        `SELECT r.id, ${CHECK_COLUMNS} FROM residents r WHERE r.id IN (${chunk.map((_, i) => this.residents.placeholder(i + 1)).join(', ')})`,
        chunk,
      );
      for (const row of rows) facts.set(Number(row.id), crossOf(row));
    }
    return facts;
  }

  /** Residents on the ledger within a granted range, with their cross-record facts, by grid and id. */
  async inRange(range: CodeRange): Promise<{ row: LedgerRow; cross: Record<CrossCheck, boolean> }[]> {
    const p = (n: number) => this.residents.placeholder(n);
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT r.*, ${CHECK_COLUMNS} FROM residents r
        WHERE r.grid_code >= ${p(1)} AND r.grid_code < ${p(2)} AND r.deregistered_on IS NULL ORDER BY r.grid_code, r.id`,
      [range.from, range.to],
    );
    return rows.map((row) => ({ row: this.residents.toRecord(row), cross: crossOf(row) }));
  }
}
