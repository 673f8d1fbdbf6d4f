import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Role } from '../access/roles.js';
import type { OrgLevel, OrgUnit } from '../ledger/org-unit.repository.js';
import { dialectFor, Params, type SqlDialect } from '../views/sql-dialect.js';

export interface Account {
  id: number;
  username: string;
  displayName: string;
  passwordHash: string;
  role: Role;
  orgUnitCode: string | null;
  department: string | null;
  fullValues: boolean;
  active: boolean;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  /** The org unit the account is bound to, read with it: every request needs it for the viewer's area. */
  orgUnit: OrgUnit | null;
}

export type AccountValues = Pick<Account, 'username' | 'displayName' | 'passwordHash' | 'role' | 'orgUnitCode' | 'department' | 'fullValues' | 'active'>;

const COLUMNS: Record<keyof AccountValues, string> = {
  username: 'username',
  displayName: 'display_name',
  passwordHash: 'password_hash',
  role: 'role',
  orgUnitCode: 'org_unit_code',
  department: 'department',
  fullValues: 'full_values',
  active: 'active',
};

/** All SQL on accounts. */
@Injectable()
export class AccountRepository {
  private readonly dialect: SqlDialect;

  constructor(private readonly dataSource: DataSource) {
    this.dialect = dialectFor(dataSource.options.type === 'postgres');
  }

  private async select(where: string, params: unknown[], manager: EntityManager = this.dataSource.manager): Promise<Account[]> {
    // The account's org unit comes in the same statement: a request's viewer needs its level (one round trip fewer).
    const rows: Record<string, unknown>[] = await manager.query(`SELECT a.*, o.name AS unit_name, o.level AS unit_level, o.parent_code AS unit_parent_code, o.sort_order AS unit_sort_order FROM accounts a LEFT JOIN org_units o ON o.code = a.org_unit_code ${where}`, params);
    return rows.map((r) => ({
      id: Number(r.id),
      username: String(r.username),
      displayName: String(r.display_name),
      passwordHash: String(r.password_hash),
      role: r.role as Role,
      orgUnitCode: (r.org_unit_code as string | null) ?? null,
      department: (r.department as string | null) ?? null,
      fullValues: r.full_values === true || r.full_values === 1,
      active: r.active === true || r.active === 1,
      version: Number(r.version),
      createdAt: new Date(String(r.created_at)),
      updatedAt: new Date(String(r.updated_at)),
      orgUnit: r.unit_level ? { code: String(r.org_unit_code), name: String(r.unit_name), level: r.unit_level as OrgLevel, parentCode: (r.unit_parent_code as string | null) ?? null, sortOrder: Number(r.unit_sort_order) } : null,
    }));
  }

  async findByUsername(username: string): Promise<Account | null> {
    return (await this.select(`WHERE a.username = ${this.dialect.param(1)}`, [username]))[0] ?? null;
  }

  async findById(id: number, manager?: EntityManager): Promise<Account | null> {
    return (await this.select(`WHERE a.id = ${this.dialect.param(1)}`, [id], manager))[0] ?? null;
  }

  list(): Promise<Account[]> {
    return this.select('ORDER BY a.id', []);
  }

  async count(): Promise<number> {
    const [{ n }] = await this.dataSource.query('SELECT COUNT(*) AS n FROM accounts');
    return Number(n);
  }

  async insert(manager: EntityManager, values: AccountValues): Promise<number> {
    const params = new Params(this.dialect);
    const keys = Object.keys(COLUMNS) as (keyof AccountValues)[];
    const placeholders = keys.map((k) => params.add(this.value(values[k])));
    const rows = await manager.query(
      `INSERT INTO accounts (${keys.map((k) => COLUMNS[k]).join(', ')}, version) VALUES (${placeholders.join(', ')}, 1) RETURNING id`,
      params.values,
    );
    return Number(rows[0].id);
  }

  /** Optimistic update, like every other record: applies only at `expectedVersion`; returns whether it did. */
  async update(manager: EntityManager, id: number, expectedVersion: number, values: Partial<AccountValues>): Promise<boolean> {
    const params = new Params(this.dialect);
    const set = (Object.keys(values) as (keyof AccountValues)[]).map((k) => `${COLUMNS[k]} = ${params.add(this.value(values[k]))}`);
    const result = await manager.query(
      `UPDATE accounts SET ${[...set, 'version = version + 1', 'updated_at = CURRENT_TIMESTAMP'].join(', ')} WHERE id = ${params.add(id)} AND version = ${params.add(expectedVersion)} RETURNING id`,
      params.values,
    );
    return (this.dialect.postgres ? result[0] : result).length === 1;
  }

  private value(v: unknown): unknown {
    return typeof v === 'boolean' ? this.dialect.bool(v) : (v ?? null);
  }
}
