import fs from 'node:fs';
import path from 'node:path';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ConfigService } from '../config/config.service.js';
import { MIGRATIONS } from '../../migrations/index.js';
import { ReadRouting } from './read-routing.js';
import type { SqliteGate } from './sqlite-gate.js';
import { SQLITE_GATE } from './unit-of-work.js';

export interface Check {
  /** `degraded`: working around a problem (reads from the primary instead of the replica); still ready. */
  status: 'ok' | 'fail' | 'degraded';
  /** Why it failed, in Chinese; never personal data. */
  message?: string;
  [detail: string]: unknown;
}

export interface Readiness {
  status: 'ready' | 'not_ready';
  checks: Record<string, Check>;
}

const PING_TIMEOUT_MS = 2000;

/**
 * What a load balancer asks before sending traffic: does the database answer, is the schema current, is there disk;
 * with a read replica, how far behind it is (a replica that is down or too far behind is `degraded`: reads then go
 * to the primary, so the server stays ready).
 */
@Injectable()
export class HealthService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: ConfigService,
    @Optional() @Inject(SQLITE_GATE) private readonly gate: SqliteGate | null = null,
    @Optional() @Inject(ReadRouting) private readonly routing: ReadRouting | null = null,
  ) {}

  async readiness(): Promise<Readiness> {
    const database = await this.check(() => this.ping(), '数据库无应答');
    const checks: Record<string, Check> = {
      database,
      migrations: database.status === 'ok' ? await this.check(() => this.migrations(), '无法读取迁移记录') : { status: 'fail', message: '数据库无应答，无法检查迁移' },
    };
    const db = this.config.values.database;
    if (db.kind === 'sqlite') checks.disk = this.disk(path.dirname(db.sqlitePath));
    const replica = await this.routing?.report();
    if (replica) {
      const { servingReads, lagSeconds, lagBytes, paused, maxLagSeconds, message } = replica;
      checks.replica = { status: servingReads ? 'ok' : 'degraded', servingReads, lagSeconds, lagBytes, paused, maxLagSeconds, ...(message ? { message } : {}) };
    }
    const ready = Object.values(checks).every((c) => c.status !== 'fail');
    return { status: ready ? 'ready' : 'not_ready', checks };
  }

  private async check(run: () => Promise<Check>, failure: string): Promise<Check> {
    try {
      return await run();
    } catch {
      return { status: 'fail', message: failure };
    }
  }

  private async ping(): Promise<Check> {
    if (this.gate) {
      this.gate.ping();
      return { status: 'ok' };
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), PING_TIMEOUT_MS)));
    try {
      await Promise.race([this.dataSource.query('SELECT 1'), timeout]);
    } finally {
      clearTimeout(timer);
    }
    return { status: 'ok' };
  }

  private async migrations(): Promise<Check> {
    const applied = new Set((await this.dataSource.query('SELECT name FROM migrations')).map((r: { name: string }) => r.name));
    const pending = MIGRATIONS.map((m) => m.name).filter((name) => !applied.has(name));
    return pending.length ? { status: 'fail', message: `有 ${pending.length} 个迁移尚未执行`, pending } : { status: 'ok', applied: applied.size };
  }

  private disk(dir: string): Check {
    const thresholdMb = this.config.values.health.minFreeDiskMb;
    try {
      const stats = fs.statfsSync(dir);
      const freeMb = Math.floor((stats.bavail * stats.bsize) / 1024 / 1024);
      return freeMb >= thresholdMb ? { status: 'ok', freeMb, thresholdMb } : { status: 'fail', message: `数据库所在磁盘剩余 ${freeMb} MB，低于 ${thresholdMb} MB`, freeMb, thresholdMb };
    } catch {
      return { status: 'fail', message: '无法读取数据库所在磁盘的剩余空间', thresholdMb };
    }
  }
}
