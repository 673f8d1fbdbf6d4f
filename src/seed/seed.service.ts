import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type BulkInsert, BulkWriter } from '../database/bulk-writer.js';
import { ConfigService } from '../config/config.service.js';
import { DomainError } from '../common/errors/domain-errors.js';
import { todayIso } from '../identity/index.js';
import { ENTITY_NAMES, TABLES } from '../ledger/entities/ledger.entities.js';
import { AccountsService } from '../auth/accounts.service.js';
import { systemViewer } from '../access/viewer.js';
import { AuditService } from '../audit/audit.service.js';
import { DEMO_ACCOUNTS } from './demo-accounts.js';
import { demoOrgUnits, demoStaff, generateCommunity } from './generator/index.js';

export const DEMO_RESIDENTS = 2000;
export const DEMO_SEED = 20261125;

export interface SeedOptions {
  residents: number;
  seed?: number;
  today?: string;
  onProgress?: (residentsDone: number) => void;
}

export interface SeedSummary {
  orgUnits: number;
  staff: number;
  households: number;
  residents: number;
  visits: number;
  businesses: number;
}

export class LedgerNotEmptyError extends DomainError {
  readonly code = 'LEDGER_NOT_EMPTY';
  constructor() {
    super('台账中已有数据：演示数据只能写入空数据库（请换一个 SQLITE_PATH 或清空数据库）');
  }
}

export type LedgerKind = keyof typeof TABLES;
const KIND_OF_BATCH = { households: 'household', residents: 'resident', visits: 'visit', businesses: 'business' } as const;

/** Demo and benchmark data: generated deterministically, written below the ORM in one transaction. */
@Injectable()
export class SeedService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Seed');
  /** Generated facts the dictionary lacks, said once each. */
  private readonly skipped = new Set<string>();

  constructor(
    private readonly config: ConfigService,
    private readonly bulk: BulkWriter,
    private readonly dataSource: DataSource,
    private readonly accounts: AccountsService,
    private readonly audit: AuditService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const system = systemViewer('startup');
    if (this.config.seedDemo && (await this.isEmpty())) {
      this.logger.log(`空数据库：写入演示数据（${DEMO_RESIDENTS} 位居民，固定随机种子）和演示账号…`);
      const summary = await this.seed({ residents: DEMO_RESIDENTS });
      this.logger.log(`演示数据已写入：${JSON.stringify(summary)}；演示账号 ${DEMO_ACCOUNTS.length} 个（见 README）`);
    }
    await this.accounts.ensureAdministrator(this.config.auth.adminPassword, system);
  }

  async isEmpty(): Promise<boolean> {
    return (await this.dataSource.manager.getRepository(ENTITY_NAMES.orgUnit).count()) === 0;
  }

  async seed(options: SeedOptions): Promise<SeedSummary> {
    if (!(await this.isEmpty())) throw new LedgerNotEmptyError();
    const today = options.today ?? todayIso();
    const seed = options.seed ?? DEMO_SEED;
    const orgUnits = demoOrgUnits();
    const staff = demoStaff(orgUnits);
    const communities = orgUnits.filter((u) => u.level === 'community');
    const summary: SeedSummary = { orgUnits: orgUnits.length, staff: staff.length, households: 0, residents: 0, visits: 0, businesses: 0 };
    const nextIds = { household: 1, resident: 1, visit: 1, business: 1 };

    await this.bulk.transaction(async (insert) => {
      await this.writeRows(insert, 'orgUnit', orgUnits);
      await this.writeRows(insert, 'staff', staff.map((s) => ({ ...s, version: 1 })));
      for (const [index, community] of communities.entries()) {
        const share = Math.floor(options.residents / communities.length) + (index < options.residents % communities.length ? 1 : 0);
        const grids = orgUnits.filter((u) => u.parentCode === community.code);
        for (const batch of generateCommunity({ community, grids, staff, residents: share, seed, today, firstIds: { ...nextIds } })) {
          const [key, rows] = Object.entries(batch)[0] as [keyof typeof KIND_OF_BATCH, { id: number }[]];
          const kind = KIND_OF_BATCH[key];
          await this.writeRows(insert, kind, rows.map((r) => ({ ...r, version: 1 })));
          summary[key] += rows.length;
          if (rows.length) nextIds[kind] = Math.max(nextIds[kind], ...rows.map((r) => r.id + 1));
          if (key === 'residents') options.onProgress?.(summary.residents);
        }
      }
    });
    // Bulk data written below the ORM: one audit line for the whole load, not one per row.
    const system = systemViewer('seed');
    await this.audit.recordAccess(system, 'seed', { filter: { seed, today }, rowCount: summary.residents });
    if ((await this.accounts.list()).length === 0) for (const account of DEMO_ACCOUNTS) await this.accounts.create(system, account);
    return summary;
  }

  /** Maps rows keyed by entity property to the table's columns, using the entity metadata. */
  async writeRows(insert: BulkInsert, kind: LedgerKind, rows: Record<string, unknown>[]): Promise<void> {
    if (rows.length === 0) return;
    const metadata = this.dataSource.getMetadata(ENTITY_NAMES[kind]);
    const columnOf = (p: string) => metadata.findColumnsWithPropertyPath(p)[0] ?? metadata.columns.find((c) => c.propertyName === p);
    // A templates folder may leave out a field the demo generator fills (the dictionary is data): that fact has no
    // column to go to, so the demo goes without it.
    const all = Object.keys(rows[0]);
    const properties = all.filter((p) => columnOf(p));
    for (const p of all.filter((q) => !columnOf(q) && !this.skipped.has(`${kind}.${q}`))) {
      this.skipped.add(`${kind}.${p}`);
      this.logger.warn(`演示数据的"${p}"不在字段字典中（${metadata.tableName} 没有此列），未写入`);
    }
    await insert(TABLES[kind], properties.map((p) => columnOf(p)!.databaseName), rows.map((r) => properties.map((p) => r[p] ?? null)));
  }
}
