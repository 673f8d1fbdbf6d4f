import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { verifyAuditChain } from '../../src/audit/audit-chain.js';
import { pgTool } from '../../src/backup/pg-tools.js';
import { loadConfig } from '../../src/config/app-config.js';
import { GRID, idNumber, insertOrgFixture } from '../support/fixtures.js';
import { queryDirect } from '../support/direct-db.js';
import { createTestApp, freshDatabaseEnv, isPostgres, type TestApp } from '../support/test-app.js';

// npm run backup / npm run restore, compiled (npm test builds first), as child processes beside a running app.
const ROOT = path.resolve(import.meta.dirname, '../..');
const BACKUP = path.join(ROOT, 'dist/src/cli/backup.cli.js');
const RESTORE = path.join(ROOT, 'dist/src/cli/restore.cli.js');
const exec = promisify(execFile);
const run = (cli: string, args: string[], env: NodeJS.ProcessEnv) => exec(process.execPath, [cli, ...args], { env: { ...env, SEED_DEMO: 'false' }, cwd: ROOT });
const fails = (cli: string, args: string[], env: NodeJS.ProcessEnv) =>
  run(cli, args, env).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

/** The "  table  rows" lines both commands print. */
const countsIn = (stdout: string) => Object.fromEntries([...stdout.matchAll(/^ {2}(\w+) +(\d+)$/gm)].map((m) => [m[1], Number(m[2])]));

const query = queryDirect;

const TABLES = isPostgres()
  ? `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`
  : `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`;

/** Nothing restored: no SQLite file and nothing left beside it, or no table and no function in public. */
async function expectNothingRestored(env: NodeJS.ProcessEnv): Promise<void> {
  if (isPostgres()) {
    expect(await query(env, TABLES)).toEqual([]);
    expect(await query(env, `SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace`)).toEqual([]);
  } else {
    expect(fs.readdirSync(path.dirname(env.SQLITE_PATH!))).toEqual([]);
  }
}

describe(`npm run backup / restore (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  let env: NodeJS.ProcessEnv;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ybt-backup-'));
  const backup = path.join(dir, isPostgres() ? 'ledger.dump' : 'ledger.sqlite');
  let reported: Record<string, number>;
  let restoredEnv: NodeJS.ProcessEnv;
  let sequence = 0;
  const addResident = async () => {
    const n = sequence++;
    const id = idNumber('500106', `19${50 + Math.floor(n / 900)}0101`, (n % 900) + 1);
    const res = await t.gql('mutation ($i: UpsertResidentInput!) { upsertResident(input: $i) { id } }', { i: { idNumber: id, gridCode: GRID, name: `居民${n}`, currentAddress: `桥北路${n}号` } });
    if (res.errors) throw new Error(JSON.stringify(res.errors));
  };

  beforeAll(async () => {
    t = await createTestApp();
    await insertOrgFixture(t.dataSource);
    for (let i = 0; i < 30; i++) await addResident();
    const db = t.config.database;
    env = db.kind === 'sqlite' ? { ...process.env, SQLITE_PATH: db.sqlitePath, DATABASE_URL: '' } : { ...process.env, DATABASE_URL: db.url, DATABASE_OWNER_URL: db.ownerUrl };
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers --help with exit 0', async () => {
    expect((await run(BACKUP, ['--help'], env)).stdout).toMatch(/用法：npm run backup -- --out/);
    expect((await run(RESTORE, ['--help'], env)).stdout).toMatch(/用法：npm run restore -- 备份文件/);
  });

  it('takes a consistent backup while residents are being written, and restores it into an empty database with the same counts', async () => {
    let acknowledged = 0;
    let stop = false;
    const writer = (async () => {
      while (!stop) {
        await addResident();
        acknowledged++;
      }
    })();
    const residents = async () => Number((await query(env, 'SELECT count(*) AS n FROM residents'))![0].n);
    const before = await residents(); // every write acknowledged so far is in here
    const started = await fails(BACKUP, ['--out', backup], env);
    const duringBackup = acknowledged;
    while (acknowledged < duringBackup + 3) await new Promise((r) => setTimeout(r, 20)); // and on after it
    stop = true;
    await writer;
    expect(started).toMatchObject({ code: 0 });
    expect(started.stdout).toMatch(/已写入 .+（[\d.]+ (KB|MB)，/);
    expect(started.stderr).toMatch(/备份 (SQLite|PostgreSQL) \[█+\] 100\.0%/);
    expect(fs.existsSync(`${backup}.partial`)).toBe(false);
    reported = countsIn(started.stdout);
    // A snapshot from the middle of the load: later than the start, earlier than the end.
    expect(reported.residents).toBeGreaterThan(before);
    expect(reported.residents).toBeLessThan(await residents());
    expect(reported.audit_log).toBeGreaterThan(reported.residents);

    const target = (restoredEnv = await freshDatabaseEnv('restored'));
    const restored = await run(RESTORE, [backup], target);
    expect(countsIn(restored.stdout)).toEqual(reported);
    expect(restored.stdout).toMatch(isPostgres() ? /检查通过：是一表通的数据库/ : /检查通过：integrity_check 正常；是一表通的数据库/);
    const head = /审计日志链尾为第 (\d+) 条，哈希 ([0-9a-f]{64})/.exec(started.stdout)!;
    expect(restored.stdout).toContain(`审计日志哈希链完整（${reported.audit_log} 条，链尾为第 ${head[1]} 条，哈希 ${head[2]}）`);

    // The restored database itself, read directly.
    for (const [table, rows] of Object.entries(reported)) expect([table, Number((await query(target, `SELECT count(*) AS n FROM "${table}"`))![0].n)]).toEqual([table, rows]);
    if (!isPostgres()) expect(await query(target, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    const db = loadConfig(target, ROOT).database; // as the owner: the app's role has no grants until the server starts
    expect(await verifyAuditChain(db.kind === 'postgres' ? { ...db, url: db.ownerUrl } : db)).toMatchObject({ ok: true, rows: reported.audit_log });
    // One instant: every resident in the copy comes with the audit line of its creation.
    const withoutCreate = await query(target, `SELECT count(*) AS n FROM residents r WHERE NOT EXISTS
      (SELECT 1 FROM audit_log a WHERE a.entity = 'resident' AND a.action = 'create' AND a.record_id = r.id)`);
    expect(Number(withoutCreate![0].n)).toBe(0);
  });

  it('the restored copy is a working ledger: the server starts on it and the audit chain goes on', async () => {
    // `database` is only the scratch database createTestApp empties; the app itself runs on the restored one.
    const on = isPostgres() ? { DATABASE_URL: restoredEnv.DATABASE_URL, DATABASE_OWNER_URL: restoredEnv.DATABASE_OWNER_URL } : { SQLITE_PATH: restoredEnv.SQLITE_PATH };
    const copy = await createTestApp({ database: 'unused', env: on });
    try {
      const res = await copy.gql(`mutation { upsertResident(input: { idNumber: "${idNumber('500106', '19990101', 999)}", gridCode: "${GRID}", name: "恢复后", currentAddress: "桥北路1号" }) { id } }`);
      expect(res.errors).toBeUndefined();
      expect(Number((await query(restoredEnv, 'SELECT count(*) AS n FROM residents'))![0].n)).toBe(reported.residents + 1);
      const chain = await verifyAuditChain(copy.config.database);
      expect(chain.ok).toBe(true);
      expect(chain.rows).toBeGreaterThan(reported.audit_log);
    } finally {
      await copy.close();
    }
  });

  it('refuses to overwrite a backup file unless told to', async () => {
    const before = fs.statSync(backup);
    const refused = await fails(BACKUP, ['--out', backup], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/错误：.+已存在：换一个文件名，或加 --force 覆盖/);
    expect(fs.statSync(backup).mtimeMs).toBe(before.mtimeMs);
    const copy = path.join(dir, `forced-${path.basename(backup)}`);
    fs.writeFileSync(copy, 'an old file');
    expect((await run(BACKUP, ['--out', copy, '--force'], env)).stdout).toMatch(/已写入/);
    expect(fs.readFileSync(copy).subarray(0, 5).toString()).toBe(isPostgres() ? 'PGDMP' : 'SQLit');
  });

  it('refuses a target database that is not empty, and leaves it as it was', async () => {
    const residents = await query(env, 'SELECT count(*) AS n FROM residents');
    const refused = await fails(RESTORE, [backup], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/错误：目标数据库 .+ 不是空的（(public 模式里)?有 \d+ 张表）/);
    expect(await query(env, 'SELECT count(*) AS n FROM residents')).toEqual(residents);
  });

  it('refuses a truncated backup and restores nothing', async () => {
    const bytes = fs.readFileSync(backup);
    const half = path.join(dir, 'half');
    fs.writeFileSync(half, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const target = await freshDatabaseEnv('truncated');
    const refused = await fails(RESTORE, [half], target);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/错误：备份文件不完整/);
    await expectNothingRestored(target);

    if (isPostgres()) {
      // Cut near the end: the archive's table of contents reads, its last data do not. One transaction: all gone.
      const tail = path.join(dir, 'tail');
      fs.writeFileSync(tail, bytes.subarray(0, bytes.length - 200));
      const late = await fails(RESTORE, [tail], target);
      expect(late.code).toBe(1);
      expect(late.stderr).toMatch(/错误：备份文件不完整或已损坏（pg_restore: error: .+）。已整体回滚，目标数据库仍是空的/);
      expect(late.stdout).toBe('');
    } else {
      // A header that lies about the length (a cut copy whose page count was "fixed"): integrity_check finds it.
      const lying = Buffer.from(bytes.subarray(0, Math.floor(bytes.length / 2 / 4096) * 4096));
      const pageSize = lying.readUInt16BE(16);
      lying.writeUInt32BE(lying.length / pageSize, 28);
      const patched = path.join(dir, 'patched');
      fs.writeFileSync(patched, lying);
      const late = await fails(RESTORE, [patched], target);
      expect(late.code).toBe(1);
      expect(late.stderr).toMatch(/错误：备份文件已损坏或不完整（/);
    }
    await expectNothingRestored(target);
  });

  it('refuses a file that is not one of our backups', async () => {
    const target = await freshDatabaseEnv('foreign');
    const text = path.join(dir, 'notes.txt');
    fs.writeFileSync(text, '这不是备份\n'.repeat(1000));
    const asText = await fails(RESTORE, [text], target);
    expect(asText.code).toBe(1);
    expect(asText.stderr).toMatch(isPostgres() ? /错误：notes\.txt 不是 pg_dump 自定义格式（-Fc）的归档/ : /错误：notes\.txt 不是 SQLite 数据库文件/);

    const other = path.join(dir, 'other.sqlite');
    const db = new Database(other);
    db.exec("CREATE TABLE customers (id integer PRIMARY KEY, name text); INSERT INTO customers (name) VALUES ('张三')");
    db.close();
    const asSqlite = await fails(RESTORE, [other], target);
    expect(asSqlite.code).toBe(1);
    expect(asSqlite.stderr).toMatch(isPostgres() ? /错误：这是 SQLite 的备份/ : /错误：这不是一表通的数据库/);

    if (isPostgres()) {
      // A real pg_dump archive of someone else's database.
      const source = await freshDatabaseEnv('someone_else');
      await query(source, "CREATE TABLE customers (id serial PRIMARY KEY, name text); INSERT INTO customers (name) VALUES ('张三')");
      const archive = path.join(dir, 'other.dump');
      await exec(pgTool('pg_dump'), ['-Fc', '-f', archive, '-d', source.DATABASE_OWNER_URL || source.DATABASE_URL!]);
      const asArchive = await fails(RESTORE, [archive], target);
      expect(asArchive.code).toBe(1);
      expect(asArchive.stderr).toMatch(/错误：这个 pg_dump 归档不是一表通的数据库/);
    }
    await expectNothingRestored(target);
  });

  it('refuses a backup whose audit log was altered, and drops what it had restored', async () => {
    let tampered: string;
    if (isPostgres()) {
      // Restore, alter a line as the owner with the triggers off, back that up: the copy restores, the chain fails.
      const scratch = await freshDatabaseEnv('scratch');
      await run(RESTORE, [backup], scratch);
      await query(scratch, `ALTER TABLE audit_log DISABLE TRIGGER USER; UPDATE audit_log SET username = 'someone' WHERE id = (SELECT min(id) FROM audit_log); ALTER TABLE audit_log ENABLE TRIGGER USER`);
      tampered = path.join(dir, 'tampered.dump');
      await run(BACKUP, ['--out', tampered], scratch);
    } else {
      tampered = path.join(dir, 'tampered.sqlite');
      fs.copyFileSync(backup, tampered);
      const db = new Database(tampered);
      for (const { name } of db.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'`).all() as { name: string }[]) db.exec(`DROP TRIGGER "${name}"`);
      db.exec(`UPDATE audit_log SET username = 'someone' WHERE id = (SELECT min(id) FROM audit_log)`);
      db.close();
    }
    const target = await freshDatabaseEnv('tampered');
    const refused = await fails(RESTORE, [tampered], target);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/错误：审计日志的哈希链断开：第 \d+ 条的内容与其哈希不符/);
    await expectNothingRestored(target);
  });
});
