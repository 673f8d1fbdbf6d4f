import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { RowMapper } from '../database/row-mapper.js';
import { ENTITY_NAMES, type LedgerRow } from './entities/ledger.entities.js';
import type { CodeRange } from '../access/access-policy.js';

/** All SQL on residents and the households they live in: plain SQL, valid on SQLite and PostgreSQL alike. */
@Injectable()
export class ResidentRepository {
  private readonly residents: RowMapper;
  private readonly households: RowMapper;

  constructor(private readonly dataSource: DataSource) {
    this.residents = RowMapper.for(dataSource, ENTITY_NAMES.resident);
    this.households = RowMapper.for(dataSource, ENTITY_NAMES.household);
  }

  private async select(m: RowMapper, where: string, params: unknown[], manager: EntityManager = this.dataSource.manager, tail = ''): Promise<LedgerRow[]> {
    const rows: Record<string, unknown>[] = await manager.query(`SELECT * FROM ${m.table} WHERE ${where} ${tail}`, params);
    return rows.map((r) => m.toRecord(r));
  }

  async findByIdNumber(idNumber: string, manager?: EntityManager): Promise<LedgerRow | null> {
    return (await this.select(this.residents, `id_number = ${this.residents.placeholder(1)}`, [idNumber], manager))[0] ?? null;
  }

  async findById(id: number, manager?: EntityManager): Promise<LedgerRow | null> {
    return (await this.select(this.residents, `id = ${this.residents.placeholder(1)}`, [id], manager))[0] ?? null;
  }

  /** Residents by ID number, in as few queries as the list allows (a batch of changes, an import's rows). */
  findByIdNumbers(manager: EntityManager, idNumbers: string[]): Promise<LedgerRow[]> {
    return this.selectIn(manager, this.residents, 'id_number', idNumbers);
  }

  findByIds(manager: EntityManager, ids: number[]): Promise<LedgerRow[]> {
    return this.selectIn(manager, this.residents, 'id', ids);
  }

  findHouseholds(manager: EntityManager, ids: number[]): Promise<LedgerRow[]> {
    return this.selectIn(manager, this.households, 'id', ids);
  }

  private async selectIn(manager: EntityManager, m: RowMapper, column: string, values: unknown[]): Promise<LedgerRow[]> {
    const unique = [...new Set(values)];
    const rows: LedgerRow[] = [];
    for (let start = 0; start < unique.length; start += 500) {
      const chunk = unique.slice(start, start + 500);
      rows.push(...(await this.select(m, `${column} IN (${chunk.map((_, i) => m.placeholder(i + 1)).join(', ')})`, chunk, manager)));
    }
    return rows;
  }

  /**
   * Residents within a granted code range whose name contains the text, or whose ID number is it or ends with it (people
   * often know the last digits); by name, at most `limit`.
   */
  search(range: CodeRange, text: string, limit: number): Promise<LedgerRow[]> {
    const p = (n: number) => this.residents.placeholder(n);
    const digits = /^\d{4,17}[\dX]?$/.test(text);
    // The text is matched literally: % and _ (and the escape character itself) escaped, the same ESCAPE on both databases.
    const match = digits ? `(id_number = ${p(3)} OR id_number LIKE ${p(4)} ESCAPE '\\')` : `name LIKE ${p(3)} ESCAPE '\\'`;
    const literal = text.replace(/[\\%_]/g, '\\$&');
    const params = digits ? [range.from, range.to, text, `%${literal}`] : [range.from, range.to, `%${literal}%`];
    return this.select(this.residents, `grid_code >= ${p(1)} AND grid_code < ${p(2)} AND ${match}`, params, undefined, `ORDER BY name, id LIMIT ${Number(limit)}`);
  }

  findByHousehold(householdId: number): Promise<LedgerRow[]> {
    return this.select(this.residents, `household_id = ${this.residents.placeholder(1)}`, [householdId], undefined, 'ORDER BY id');
  }

  /** Households by id outside any transaction (the residents a search found, their addresses). */
  householdsByIds(ids: number[]): Promise<LedgerRow[]> {
    return this.selectIn(this.dataSource.manager, this.households, 'id', ids);
  }

  /** The members of several households, each household's by id (a page of households and their members). */
  async findByHouseholdIds(householdIds: number[]): Promise<LedgerRow[]> {
    return (await this.selectIn(this.dataSource.manager, this.residents, 'household_id', householdIds)).sort((a, b) => Number(a.id) - Number(b.id));
  }

  async findHousehold(id: number | null | undefined, manager?: EntityManager): Promise<LedgerRow | null> {
    if (!id) return null;
    return (await this.select(this.households, `id = ${this.households.placeholder(1)}`, [id], manager))[0] ?? null;
  }

  findHouseholdsInGrid(gridCode: string, afterId: number, limit: number): Promise<LedgerRow[]> {
    const p = (n: number) => this.households.placeholder(n);
    return this.select(this.households, `grid_code = ${p(1)} AND id > ${p(2)}`, [gridCode, afterId], undefined, `ORDER BY id LIMIT ${Number(limit)}`);
  }

  /** The household at an address in a grid, created if there is none (safe against a concurrent create). */
  async findOrCreateHousehold(manager: EntityManager, gridCode: string, currentAddress: string): Promise<LedgerRow> {
    const p = (n: number) => this.households.placeholder(n);
    await manager.query(
      `INSERT INTO households (grid_code, current_address, version) VALUES (${p(1)}, ${p(2)}, 1) ON CONFLICT (grid_code, current_address) DO NOTHING`,
      [gridCode, currentAddress],
    );
    return (await this.select(this.households, `grid_code = ${p(1)} AND current_address = ${p(2)}`, [gridCode, currentAddress], manager))[0];
  }

  /** A household nobody lives in any more is not a household: F09's 总户数 must not count it. */
  async deleteHouseholdIfEmpty(manager: EntityManager, id: number): Promise<void> {
    const p = (n: number) => this.households.placeholder(n);
    await manager.query(`DELETE FROM households WHERE id = ${p(1)} AND NOT EXISTS (SELECT 1 FROM residents WHERE household_id = ${p(2)})`, [id, id]);
  }

  /**
   * Many residents in few statements (imports): multi-row INSERTs of at most ~500 rows. Returns their ids, by ID
   * number.
   */
  async insertResidents(manager: EntityManager, rows: LedgerRow[]): Promise<Map<string, number>> {
    return this.insertMany(manager, this.residents, rows, 'id_number', (x) => String(x.id_number));
  }

  /**
   * Households at many addresses (imports): created where missing, in few statements. Returns every one's id by
   * "grid|address".
   */
  async ensureHouseholds(manager: EntityManager, rows: LedgerRow[]): Promise<Map<string, number>> {
    const key = (r: LedgerRow) => `${r.gridCode}|${r.currentAddress}`;
    const ids = await this.insertMany(manager, this.households, rows, 'grid_code, current_address', (x) => `${x.grid_code}|${x.current_address}`, 'ON CONFLICT (grid_code, current_address) DO NOTHING');
    // Those that existed already (DO NOTHING returns no row for them).
    const missing = rows.filter((r) => !ids.has(key(r)));
    for (const r of missing) ids.set(key(r), Number((await this.findOrCreateHousehold(manager, r.gridCode, r.currentAddress)).id));
    return ids;
  }

  private async insertMany(manager: EntityManager, m: RowMapper, rows: LedgerRow[], returning: string, keyOf: (returned: Record<string, unknown>) => string, conflict = ''): Promise<Map<string, number>> {
    const ids = new Map<string, number>();
    if (!rows.length) return ids;
    const properties = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    const columns = [...properties.map((p) => m.column(p)), 'version'];
    const per = Math.max(1, Math.floor(30_000 / columns.length));
    for (let start = 0; start < rows.length; start += per) {
      const chunk = rows.slice(start, start + per);
      const params: unknown[] = [];
      const tuples = chunk.map((r) => `(${[...properties.map((p) => (params.push(m.param(r[p] ?? null)), m.placeholder(params.length))), '1'].join(', ')})`);
      const returned: Record<string, unknown>[] = await manager.query(
        `INSERT INTO ${m.table} (${columns.join(', ')}) VALUES ${tuples.join(', ')} ${conflict} RETURNING id, ${returning}`,
        params,
      );
      for (const x of returned) ids.set(keyOf(x), Number(x.id));
    }
    return ids;
  }

  /** Optimistic update: changes apply only if the row is still at `expectedVersion`. Returns whether they did. */
  updateResident(manager: EntityManager, id: number, expectedVersion: number, values: LedgerRow): Promise<boolean> {
    return this.update(manager, this.residents, id, values, expectedVersion);
  }

  updateHousehold(manager: EntityManager, id: number, values: LedgerRow, expectedVersion?: number): Promise<boolean> {
    return this.update(manager, this.households, id, values, expectedVersion);
  }

  private async update(manager: EntityManager, m: RowMapper, id: number, values: LedgerRow, expectedVersion?: number): Promise<boolean> {
    const entries = Object.entries(values);
    const params = entries.map(([, v]) => m.param(v));
    const set = entries.map(([k], i) => `${m.column(k)} = ${m.placeholder(i + 1)}`);
    params.push(id);
    let where = `id = ${m.placeholder(params.length)}`;
    if (expectedVersion !== undefined) {
      params.push(expectedVersion);
      where += ` AND version = ${m.placeholder(params.length)}`;
    }
    const result = await manager.query(
      `UPDATE ${m.table} SET ${[...set, 'version = version + 1', 'updated_at = CURRENT_TIMESTAMP'].join(', ')} WHERE ${where} RETURNING id`,
      params,
    );
    // TypeORM answers an UPDATE on PostgreSQL with [rows, rowCount], on SQLite with the rows.
    const rows = m.postgres ? result[0] : result;
    return rows.length === 1;
  }
}
