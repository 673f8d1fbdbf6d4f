import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { chainHash, type ChainedRow, verifyAuditChain } from '../../src/audit/audit-chain.js';
import { systemViewer } from '../../src/access/viewer.js';
import { AuditService } from '../../src/audit/audit.service.js';
import { ScrubbingLogger } from '../../src/common/scrubbing-logger.js';
import { loadConfig } from '../../src/config/app-config.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import type { DatabaseTarget } from '../../src/database/row-cursor.js';
import { UnitOfWork } from '../../src/database/unit-of-work.js';
import { MIGRATIONS } from '../../migrations/index.js';
import { createTestApp, freshDatabaseEnv, isPostgres, TEST_PASSWORD, type TestApp } from '../support/test-app.js';

// Tampering as an attacker would: with SQL through the app's own connection and role, and with a raw connection
// that steps around the triggers (file access on SQLite, the owner role on PostgreSQL), then `npm run audit:verify`
// (compiled: npm test builds first) must name the row.
const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'dist/src/cli/audit-verify.cli.js');
const run = promisify(execFile);
const REFUSED = /只能/; // the triggers' messages: "只能追加" / "只能在链尾追加"

class WarningLogger extends ScrubbingLogger {
  readonly warnings: string[] = [];
  override warn(message: unknown, ...rest: unknown[]): void {
    this.warnings.push(String(message));
    super.warn(message, ...(rest as []));
  }
}

describe(`a tamper-evident audit log (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  const logger = new WarningLogger({ logLevels: ['error', 'warn'] });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ybt-audit-tamper-'));
  const ownerUrl = () => process.env.DATABASE_OWNER_URL || t.config.database.kind === 'postgres' && t.config.database.ownerUrl || '';
  const rows = (): Promise<Record<string, any>[]> => t.dataSource.query('SELECT * FROM audit_log ORDER BY id');
  const p = (n: number) => (isPostgres() ? `$${n}` : '?');

  beforeAll(async () => {
    t = await createTestApp({ logger, env: { LOGIN_MAX_FAILURES: '1000' } }); // many logins from one address below
    // A few lines of each kind: account creates (with field changes) and logins (with a filter).
    for (const username of ['audit-a', 'audit-b', 'audit-c']) await t.as({ username, role: 'admin' });
    await t.login('audit-a', 'wrong-password-123');
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('chains every line the app writes, and the whole log verifies', async () => {
    const log = await rows();
    expect(log.length).toBeGreaterThanOrEqual(8);
    log.forEach((row, i) => {
      expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(row.prev_hash).toBe(i === 0 ? '0'.repeat(64) : log[i - 1].hash);
    });
    expect(new Set(log.map((r) => r.hash)).size).toBe(log.length);
    const progress: [number, number][] = [];
    const result = await verifyAuditChain(t.config.database, (done, total) => progress.push([done, total]));
    expect(result).toMatchObject({ ok: true, rows: log.length, firstBroken: null, head: { id: Number(log.at(-1)!.id), hash: log.at(-1)!.hash } });
    expect(progress.at(-1)).toEqual([log.length, log.length]);
  });

  it('keeps one chain while many transactions append at once', async () => {
    const before = (await rows()).length;
    const audit = t.app.get(AuditService);
    const uow = t.app.get(UnitOfWork);
    const who = systemViewer('test');
    const results = await Promise.all([
      // Logins each append in a transaction of their own…
      ...Array.from({ length: 20 }, () => t.login('audit-b', TEST_PASSWORD)),
      // …beside transactions that append and then take a while to commit (others must wait for the chain's end).
      ...Array.from({ length: 8 }, (_, i) =>
        uow.run(async (m) => {
          await audit.recordAccess(who, 'export', { filter: { n: i }, rowCount: i }, m);
          await audit.recordAccess(who, 'export', { filter: { n: i, second: true }, rowCount: i }, m);
          await m.query(isPostgres() ? 'SELECT pg_sleep(0.02)' : 'SELECT 1');
        }),
      ),
    ]);
    expect(results.filter((r) => r && 'errors' in r && r.errors)).toEqual([]);
    const log = await rows();
    expect(log.length).toBe(before + 20 + 16);
    expect(await verifyAuditChain(t.config.database)).toMatchObject({ ok: true, rows: log.length });
  });

  (isPostgres() ? it.skip : it)('refuses REPLACE, UPSERT, UPDATE, DELETE and a line off the chain, even on a raw connection (SQLite)', async () => {
    const before = await rows();
    const k = Number(before[2].id);
    const next = Number(before.at(-1)!.id) + 1;
    const copyAs = (username: string) =>
      `SELECT id, at, '${username}', role, source, request_id, action, prev_hash, hash FROM audit_log WHERE id = ${k}`;
    const columns = '(id, at, username, role, source, request_id, action, prev_hash, hash)';
    const attacks = [
      `INSERT OR REPLACE INTO audit_log ${columns} ${copyAs('冒名')}`,
      `REPLACE INTO audit_log ${columns} ${copyAs('冒名')}`,
      `INSERT INTO audit_log ${columns} ${copyAs('冒名')} ON CONFLICT (id) DO UPDATE SET username = excluded.username`,
      `INSERT INTO audit_log ${columns} VALUES (${k}, '2026-01-01T00:00:00.000Z', '冒名', 'admin', 'api', 'x', 'login', '${'0'.repeat(64)}', '${'a'.repeat(64)}') ON CONFLICT DO UPDATE SET username = '冒名'`,
      `UPDATE audit_log SET username = '冒名' WHERE id = ${k}`,
      `DELETE FROM audit_log WHERE id = ${k}`,
      // The next id, but not linked to the last line's hash.
      `INSERT INTO audit_log ${columns} VALUES (${next}, '2026-01-01T00:00:00.000Z', '冒名', 'admin', 'api', 'x', 'login', '${'0'.repeat(64)}', '${'a'.repeat(64)}')`,
      // No id at all: SQLite would pick one itself.
      `INSERT INTO audit_log (at, username, role, source, request_id, action, prev_hash, hash) VALUES ('2026-01-01T00:00:00.000Z', '冒名', 'admin', 'api', 'x', 'login', '${before.at(-1)!.hash}', '${'a'.repeat(64)}')`,
    ];
    const raw = new Database(t.config.database.kind === 'sqlite' ? t.config.database.sqlitePath : '', { timeout: 5000 });
    try {
      for (const sql of attacks) expect(() => raw.prepare(sql).run()).toThrow(REFUSED);
    } finally {
      raw.close();
    }
    // The app's own writer connection refuses the same.
    const uow = t.app.get(UnitOfWork);
    await expect(uow.run((m) => m.query(attacks[0]))).rejects.toThrow(REFUSED);
    await expect(uow.run((m) => m.query(attacks[2]))).rejects.toThrow(REFUSED);
    expect(await rows()).toEqual(before);
  });

  (isPostgres() && (process.env.DATABASE_OWNER_URL || process.env.CI) ? it : it.skip)('lets the app role only read and append: no UPDATE, DELETE, TRUNCATE, trigger or owner statements (PostgreSQL)', async () => {
    expect(process.env.DATABASE_OWNER_URL).toBeTruthy(); // CI runs PostgreSQL with both roles
    const before = await rows();
    const k = Number(before[2].id);
    const attacks: [string, RegExp][] = [
      ['ALTER TABLE audit_log DISABLE TRIGGER USER', /must be owner/],
      ['DROP TRIGGER audit_log_no_change ON audit_log', /must be owner/],
      ['DROP TABLE audit_log', /must be owner/],
      ["SET session_replication_role = 'replica'", /permission denied/],
      ["SELECT setval('audit_log_id_seq', 1)", /permission denied/],
      ['LOCK TABLE audit_log IN EXCLUSIVE MODE', /permission denied/],
      [`UPDATE audit_log SET username = '冒名' WHERE id = ${k}`, /permission denied/],
      [`DELETE FROM audit_log WHERE id = ${k}`, /permission denied/],
      ['TRUNCATE audit_log', /permission denied/],
      [`INSERT INTO audit_log SELECT * FROM audit_log WHERE id = ${k} ON CONFLICT (id) DO UPDATE SET username = '冒名'`, /permission denied/],
      [`INSERT INTO audit_log (at, username, role, source, request_id, action, prev_hash, hash) VALUES (now(), '冒名', 'admin', 'api', 'x', 'login', '${'0'.repeat(64)}', '${'a'.repeat(64)}')`, REFUSED],
    ];
    const uow = t.app.get(UnitOfWork);
    for (const [sql, refused] of attacks) await expect(uow.run((m) => m.query(sql))).rejects.toThrow(refused);
    expect(await rows()).toEqual(before);
    // The app's role is not the one warned about at start-up.
    expect(logger.warnings.filter((w) => w.includes('审计日志可被改写'))).toEqual([]);

    // The app still writes, and its lines join the chain.
    await t.as({ username: 'audit-after', role: 'admin' });
    const after = await rows();
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.slice(before.length).map((r) => r.action)).toEqual(['create', 'login']);
    expect(await verifyAuditChain(t.config.database)).toMatchObject({ ok: true, rows: after.length });
  });

  (isPostgres() ? it : it.skip)('warns at start when the app connects as the audit log’s owner (no DATABASE_OWNER_URL)', async () => {
    const owned = new WarningLogger({ logLevels: ['error', 'warn'] });
    const url = new URL(ownerUrl());
    url.pathname = `${url.pathname}_ownerwarn`;
    const other = await createTestApp({ database: 'ownerwarn', logger: owned, env: { DATABASE_URL: url.toString(), DATABASE_OWNER_URL: '' } });
    await other.close();
    expect(owned.warnings.join('\n')).toMatch(/应用的数据库角色 \S+ (是超级用户|拥有审计日志表).+DATABASE_OWNER_URL/);
  });

  /**
   * A copy of the log tampered with on a connection that steps around the triggers. SQLite: an online backup of
   * the file with the triggers dropped. PostgreSQL: the real database as its owner (triggers disabled), put back
   * afterwards by `undo`.
   */
  async function tampered(statements: [string, unknown[]][], undo: [string, unknown[]][]): Promise<{ target: DatabaseTarget; undo: () => Promise<void> }> {
    const db = t.config.database;
    if (db.kind === 'sqlite') {
      const copy = path.join(dir, `tampered-${fs.readdirSync(dir).length}.sqlite`);
      const source = new Database(db.sqlitePath, { readonly: true });
      await source.backup(copy);
      source.close();
      const raw = new Database(copy);
      for (const trigger of ['audit_log_no_update', 'audit_log_no_delete', 'audit_log_chain']) raw.exec(`DROP TRIGGER ${trigger}`);
      for (const [sql, params] of statements) raw.prepare(sql).run(...params);
      raw.close();
      return { target: { kind: 'sqlite', sqlitePath: copy }, undo: async () => {} };
    }
    const asOwner = async (list: [string, unknown[]][]) => {
      const client = new pg.Client({ connectionString: ownerUrl() });
      await client.connect();
      try {
        await client.query('BEGIN');
        await client.query('ALTER TABLE audit_log DISABLE TRIGGER USER');
        for (const [sql, params] of list) await client.query(sql, params);
        await client.query('ALTER TABLE audit_log ENABLE TRIGGER USER');
        await client.query('COMMIT');
      } finally {
        await client.end();
      }
    };
    await asOwner(statements);
    return { target: db, undo: () => asOwner(undo) };
  }

  const cli = (target: DatabaseTarget, args: string[] = []) => {
    const env = { ...process.env, ...(target.kind === 'sqlite' ? { SQLITE_PATH: target.sqlitePath, DATABASE_URL: '' } : { DATABASE_URL: target.url }) };
    return run(process.execPath, [CLI, ...args], { env, cwd: ROOT }).then((r) => ({ code: 0, ...r }), (e) => e as { code: number; stdout: string; stderr: string });
  };

  it('names a row whose content was changed, and audit:verify exits non-zero', async () => {
    const log = await rows();
    const k = Number(log[3].id);
    const { target, undo } = await tampered([[`UPDATE audit_log SET username = ${p(1)} WHERE id = ${p(2)}`, ['冒名', k]]], [[`UPDATE audit_log SET username = ${p(1)} WHERE id = ${p(2)}`, [log[3].username, k]]]);
    try {
      expect((await verifyAuditChain(target)).firstBroken).toMatchObject({ id: k, code: 'CONTENT_CHANGED' });
      expect(fs.existsSync(CLI)).toBe(true);
      const res = await cli(target);
      expect(res.code).toBe(3);
      expect(res.stdout).toContain(`第 ${k} 条`);
      expect(res.stdout).toMatch(/CONTENT_CHANGED.*内容被改动/);
    } finally {
      await undo();
    }
  });

  it('names the row after a removed one', async () => {
    const log = await rows();
    const [gone, after] = [log[2], log[3]];
    const columns = Object.keys(gone);
    const { target, undo } = await tampered(
      [[`DELETE FROM audit_log WHERE id = ${p(1)}`, [Number(gone.id)]]],
      [[`INSERT INTO audit_log (${columns.join(', ')}) VALUES (${columns.map((_, i) => p(i + 1)).join(', ')})`, columns.map((c) => gone[c])]],
    );
    try {
      expect((await verifyAuditChain(target)).firstBroken).toMatchObject({ id: Number(after.id), code: 'ROW_MISSING' });
    } finally {
      await undo();
    }
  });

  it('names the row after one rewritten with a hash of its own (the link to it no longer holds)', async () => {
    const log = await rows();
    const [forged, after] = [log[2], log[3]];
    // An attacker who knows the algorithm seals the rewritten row; the next row still names the old hash.
    const hash = chainHash(forged.prev_hash, { ...forged, username: '冒名' } as ChainedRow);
    const { target, undo } = await tampered(
      [[`UPDATE audit_log SET username = ${p(1)}, hash = ${p(2)} WHERE id = ${p(3)}`, ['冒名', hash, Number(forged.id)]]],
      [[`UPDATE audit_log SET username = ${p(1)}, hash = ${p(2)} WHERE id = ${p(3)}`, [forged.username, forged.hash, Number(forged.id)]]],
    );
    try {
      expect((await verifyAuditChain(target)).firstBroken).toMatchObject({ id: Number(after.id), code: 'LINK_BROKEN' });
    } finally {
      await undo();
    }
  });

  it('a cut-off end still chains, but the head noted down earlier (--head) is missing', async () => {
    const log = await rows();
    const last = log.at(-1)!;
    const columns = Object.keys(last);
    const { target, undo } = await tampered(
      [[`DELETE FROM audit_log WHERE id = ${p(1)}`, [Number(last.id)]]],
      [[`INSERT INTO audit_log (${columns.join(', ')}) VALUES (${columns.map((_, i) => p(i + 1)).join(', ')})`, columns.map((c) => last[c])]],
    );
    try {
      expect(await verifyAuditChain(target)).toMatchObject({ ok: true, rows: log.length - 1 });
      const res = await cli(target, ['--head', `${last.id}:${last.hash}`]);
      expect(res.code).toBe(3);
      expect(res.stdout).toContain(`记下的链尾第 ${last.id} 条已不存在（HEAD_MISSING）`);
    } finally {
      await undo();
    }
  });

  it('audit:verify: intact after all that (exit 0, count and head), --help, unknown arguments', async () => {
    const log = await rows();
    const intact = await cli(t.config.database);
    expect(intact.code).toBe(0);
    expect(intact.stdout).toContain(`审计日志完整：${log.length} 条，链尾为第 ${log.at(-1)!.id} 条，哈希 ${log.at(-1)!.hash}`);
    expect(intact.stderr).toMatch(/核对审计日志 \[█+\] 100\.0%/);
    const [last, earlier] = [log.at(-1)!, log[1]];
    const held = await cli(t.config.database, [`--head=${last.id}:${last.hash}`]);
    expect([held.code, held.stdout]).toEqual([0, expect.stringContaining(`记下的链尾第 ${last.id} 条仍在，哈希未变`)]);
    const rewritten = await cli(t.config.database, ['--head', `${earlier.id}:${last.hash}`]);
    expect([rewritten.code, rewritten.stdout]).toEqual([3, expect.stringContaining('HEAD_CHANGED')]);
    expect((await cli(t.config.database, ['--head', 'latest'])).code).toBe(2);
    const help = await cli(t.config.database, ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/audit:verify[\s\S]*退出码/);
    const bad = await cli(t.config.database, ['--fix']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/不认识的参数 "--fix"/);
  });

  it('chains the lines already there when an older database is upgraded', async () => {
    const env = await freshDatabaseEnv('upgrade');
    const config = loadConfig({ ...env, SQLITE_PATH: path.join(dir, 'upgrade.sqlite') }, ROOT);
    const db = config.database;
    const upTo = MIGRATIONS.findIndex((m) => m.name === 'AuditChain1764500000000');
    const options = { ...dataSourceOptions(config), ...(db.kind === 'postgres' ? { url: db.ownerUrl } : {}) };
    const old = new DataSource({ ...options, migrations: MIGRATIONS.slice(0, upTo) });
    await old.initialize();
    try {
      await old.runMigrations();
      for (let i = 0; i < 3; i++) {
        await old.query(`INSERT INTO audit_log (at, username, role, source, request_id, action, changes) VALUES (${p(1)}, ${p(2)}, 'admin', 'api', ${p(3)}, 'update', ${p(4)})`,
          [db.kind === 'postgres' ? new Date(Date.UTC(2025, 10, 1, 8, 0, i, 123)) : `2025-11-01T08:00:0${i}.123Z`, `user-${i}`, `req-${i}`, JSON.stringify([{ field: 'name', before: null, after: `名${i}` }])]);
      }
    } finally {
      await old.destroy();
    }
    const upgraded = new DataSource(options);
    await upgraded.initialize();
    try {
      await upgraded.runMigrations();
      const log = await upgraded.query('SELECT id, prev_hash, hash FROM audit_log ORDER BY id');
      expect(log).toHaveLength(3);
      expect(log[1].prev_hash).toBe(log[0].hash);
    } finally {
      await upgraded.destroy();
    }
    // As the owner: no app has started on this database to grant the app's role anything.
    expect(await verifyAuditChain(db.kind === 'postgres' ? { ...db, url: db.ownerUrl } : db)).toMatchObject({ ok: true, rows: 3 });
  });
});
