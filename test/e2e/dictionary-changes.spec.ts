import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { COMMUNITY, GRID, GRID_2, idNumber, insertOrgFixture } from '../support/fixtures.js';
import { editField, templatesWithNewField } from '../support/dictionary-fixture.js';
import { queryDirect } from '../support/direct-db.js';
import { binary } from '../support/http.js';
import { startServer } from '../support/server-process.js';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CHECK_CLI = path.join(ROOT, 'dist/src/cli/templates-check.cli.js');
const run = promisify(execFile);

/**
 * Issue 14, point 1: a field added to templates/dictionary.yaml (and a code list, and a form using them) works end
 * to end after a restart, with no migration: the start adds the columns and the filter's index, and records them.
 */
describe(`dictionary changes are data (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  let dir: string;
  const server = () => t.app.getHttpServer();
  const sameDatabase = (): NodeJS.ProcessEnv => {
    const db = t.config.database;
    return db.kind === 'sqlite' ? { SQLITE_PATH: db.sqlitePath } : { DATABASE_URL: db.url, DATABASE_OWNER_URL: db.ownerUrl };
  };
  const restart = async (templatesDir = dir) => {
    const env = sameDatabase();
    await t.close();
    t = await createTestApp({ database: 'dictionary_restart', env: { ...env, TEMPLATES_DIR: templatesDir } });
  };
  const databaseEnv = (): NodeJS.ProcessEnv => {
    const db = t.config.database;
    return db.kind === 'sqlite' ? { SQLITE_PATH: db.sqlitePath, DATABASE_URL: '' } : { DATABASE_URL: db.url, DATABASE_OWNER_URL: db.ownerUrl };
  };
  /**
   * A start of the compiled server (npm test builds it) that must fail: what it said. A process of its own, as in
   * production (and because one process builds its GraphQL types from one dictionary only).
   */
  const startFails = async (templatesDir: string): Promise<string> => {
    const env = { ...process.env, JWT_SECRET: 'test-only-jwt-secret-0123456789abcdef', SEED_DEMO: 'false', TEMPLATES_DIR: templatesDir, ...databaseEnv() };
    const started = await startServer(env).catch((e: Error) => e);
    if (!(started instanceof Error)) {
      await started.stop();
      throw new Error('启动应被拒绝，却成功了');
    }
    expect(started.message).toMatch(/服务进程已退出（1）/);
    expect(started.message).toMatch(/一表通无法启动：.*dictionary\.yaml：以下字段变更会丢失或改变已存数据/);
    return started.message;
  };
  const changes = async (): Promise<{ change: string; field: string; table_name: string; column_name: string; column_type: string | null; index_name: string | null; start_id: string }[]> =>
    t.dataSource.query('SELECT change, field, table_name, column_name, column_type, index_name, start_id FROM dictionary_changes ORDER BY id');
  /** The table's columns as the database itself describes them: name → declared type. */
  const columnsOf = async (table: string): Promise<Map<string, string>> => {
    const rows: { name: string; type: string }[] = isPostgres()
      ? await t.dataSource.query(`SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`, [table])
      : await t.dataSource.query(`SELECT name, type FROM pragma_table_info('${table}')`);
    return new Map(rows.map((r) => [r.name, r.type.toLowerCase()]));
  };
  const indexesOf = async (table: string): Promise<string[]> =>
    (isPostgres()
      ? await t.dataSource.query(`SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1`, [table])
      : await t.dataSource.query(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = '${table}'`)
    ).map((r: { name: string }) => r.name);

  const people = {
    a: idNumber('500106', '19500305', 11),
    b: idNumber('500106', '19620811', 12),
    c: idNumber('500106', '19700101', 13), // not contracted: not on F92
    d: idNumber('500106', '19580920', 15), // arrives through the import
  };
  const UPSERT = `mutation ($i: UpsertResidentInput!) { upsertResident(input: $i) { id familyDoctorContract familyDoctorContractDate pensionInsurance } }`;

  beforeAll(async () => {
    dir = await templatesWithNewField();
    t = await createTestApp({ env: { TEMPLATES_DIR: dir } });
    await insertOrgFixture(t.dataSource);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('adds a column per new field and an index for the field F92 filters on, each recorded with the start that made it', async () => {
    const columns = await columnsOf('residents');
    expect(columns.get('family_doctor_contract')).toBe('boolean');
    expect(columns.get('family_doctor_contract_date')).toBe('date');
    expect(columns.get('pension_insurance')).toMatch(/^(character varying|varchar\(8\))$/);
    const made = await changes();
    const mine = made.filter((c) => ['familyDoctorContract', 'familyDoctorContractDate', 'pensionInsurance'].includes(c.field));
    expect(mine.map((c) => [c.change, c.field, c.table_name, c.column_name])).toEqual([
      ['add_column', 'familyDoctorContract', 'residents', 'family_doctor_contract'],
      ['add_column', 'familyDoctorContractDate', 'residents', 'family_doctor_contract_date'],
      ['add_column', 'pensionInsurance', 'residents', 'pension_insurance'],
      ['add_index', 'familyDoctorContract', 'residents', 'family_doctor_contract'],
    ]);
    expect(mine.map((c) => c.column_type).slice(0, 3)).toEqual(['boolean', 'date', 'varchar(8)']);
    const index = mine[3].index_name!;
    expect(await indexesOf('residents')).toContain(index);
    expect(new Set(made.map((c) => c.start_id)).size).toBe(1);
    // TypeORM, comparing the entities with the tables, finds nothing left to do.
    const pending = await t.dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('shows the fields on the one form and validates them like any field', async () => {
    const form = (await t.gql('{ oneForm { sections { key fields { key label type } } forms { code } } }')).data.oneForm;
    const fields = form.sections.flatMap((s: any) => s.fields);
    expect(fields).toEqual(expect.arrayContaining([
      { key: 'familyDoctorContract', label: '家庭医生签约', type: 'boolean' },
      { key: 'familyDoctorContractDate', label: '家庭医生签约日期', type: 'date' },
      { key: 'pensionInsurance', label: '养老保险参保情况', type: 'code' },
    ]));
    expect(form.forms.map((f: any) => f.code)).toContain('F92');
    const refused = await t.gql(UPSERT, { i: { idNumber: people.a, gridCode: GRID, name: '签约甲', currentAddress: '桥北路1号', familyDoctorContract: true, familyDoctorContractDate: '2999-01-01', pensionInsurance: '7' } });
    expect(refused.errors?.[0].extensions.code).toBe('VALIDATION_FAILED');
    const codes = Object.fromEntries(refused.errors[0].extensions.fieldErrors.map((e: any) => [e.path.at(-1), e.code]));
    expect(codes).toEqual({ familyDoctorContractDate: 'DATE_IN_FUTURE', pensionInsurance: 'INVALID_CODE' });
  });

  it('enters the fields through upsertResident and reads them through formView and the typed query', async () => {
    const entered = [
      { idNumber: people.a, gridCode: GRID, name: '签约甲', currentAddress: '桥北路1号', familyDoctorContract: true, familyDoctorContractDate: '2025-03-01', pensionInsurance: '2' },
      { idNumber: people.b, gridCode: GRID_2, name: '签约乙', currentAddress: '桥北路2号', familyDoctorContract: true, familyDoctorContractDate: '2024-11-15', pensionInsurance: '1' },
      { idNumber: people.c, gridCode: GRID, name: '未签丙', currentAddress: '桥北路3号', familyDoctorContract: false, pensionInsurance: '9' },
    ];
    for (const i of entered) {
      const res = await t.gql(UPSERT, { i });
      expect(res.errors).toBeUndefined();
      expect(res.data.upsertResident).toMatchObject({ familyDoctorContract: i.familyDoctorContract, familyDoctorContractDate: i.familyDoctorContractDate ?? null, pensionInsurance: i.pensionInsurance });
    }
    const [stored] = await t.dataSource.query(`SELECT COUNT(*) AS n FROM residents WHERE family_doctor_contract = ${isPostgres() ? 'true' : '1'}`);
    expect(Number(stored.n)).toBe(2);

    const view = await t.gql(`{ formView(code: "F92", orgUnit: "${COMMUNITY}") { totalCount columns { key } rows } }`);
    expect(view.errors).toBeUndefined();
    expect(view.data.formView.columns.map((c: any) => c.key)).toEqual(['rowNumber', 'name', 'idNumber', 'currentAddress', 'gridName', 'contracted', 'contractDate', 'pension']);
    expect(view.data.formView.rows).toEqual([
      [1, '签约甲', people.a, '桥北路1号', '第一网格', '已签约', '2025-03-01', '城乡居民养老保险'],
      [2, '签约乙', people.b, '桥北路2号', '第二网格', '已签约', '2024-11-15', '城镇职工养老保险'],
    ]);
    const typed = await t.gql(`{ familyDoctorRoster(orgUnit: "${COMMUNITY}") { totalCount rows { name contracted contractDate pension } } }`);
    expect(typed.errors).toBeUndefined();
    expect(typed.data.familyDoctorRoster).toEqual({ totalCount: 2, rows: [
      { name: '签约甲', contracted: '已签约', contractDate: '2025-03-01', pension: '城乡居民养老保险' },
      { name: '签约乙', contracted: '已签约', contractDate: '2024-11-15', pension: '城镇职工养老保险' },
    ] });
  });

  let exported: Parameters<ExcelJS.Xlsx['load']>[0];
  it('exports the form as .xlsx with the new columns', async () => {
    const res = await request(server()).get(`/exports/F92?orgUnit=${COMMUNITY}`).set(t.auth).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    exported = res.body;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(exported);
    const ws = wb.worksheets[0];
    expect(ws.getCell('A1').value).toBe('陈家桥街道桥北社区家庭医生签约居民台账');
    expect(ws.getCell('F4').value).toBe('是否签约');
    const body = [5, 6].map((r) => (ws.getRow(r).values as unknown[]).slice(1).map((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v)));
    expect(body).toEqual([
      [1, '签约甲', people.a, '桥北路1号', '第一网格', '已签约', '2025-03-01', '城乡居民养老保险'],
      [2, '签约乙', people.b, '桥北路2号', '第二网格', '已签约', '2024-11-15', '城镇职工养老保险'],
    ]);
  });

  it('imports the form back: a new row with the new fields is committed through the one write path', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(exported);
    const ws = wb.worksheets[0];
    ws.spliceRows(7, 0, [3, '导入丁', people.d, '桥北路4号', '第一网格', '已签约', new Date('2025-06-30T00:00:00Z'), '未参保']);
    ws.getCell('H6').value = '城乡居民养老保险'; // 签约乙 changes her pension insurance
    const file = Buffer.from(await wb.xlsx.writeBuffer());
    const uploaded = await request(server()).post('/imports').set(t.auth).field('form', 'F92').field('orgUnit', COMMUNITY).attach('file', file, 'F92.xlsx');
    expect(uploaded.status).toBe(201);
    expect(uploaded.body.summary).toMatchObject({ rows: 3, creates: 1, errors: 0 });
    const committed = await t.gql(`mutation { commitImport(id: ${uploaded.body.id}, onConflict: "take") { status committedRows } }`);
    expect(committed.errors).toBeUndefined();
    expect(committed.data.commitImport.status).toBe('committed');
    const [d] = await t.dataSource.query(`SELECT name, family_doctor_contract AS c, family_doctor_contract_date AS day, pension_insurance AS p FROM residents WHERE id_number = '${people.d}'`);
    expect({ ...d, c: Boolean(d.c), day: d.day instanceof Date ? d.day.toISOString().slice(0, 10) : d.day }).toEqual({ name: '导入丁', c: true, day: '2025-06-30', p: '9' });
    const [b] = await t.dataSource.query(`SELECT pension_insurance AS p FROM residents WHERE id_number = '${people.b}'`);
    expect(b.p).toBe('2');
  });

  it('restarts twice on the same database: nothing new to record, the values still there', async () => {
    const before = await changes();
    await restart();
    expect(await changes()).toEqual(before);
    await restart();
    expect(await changes()).toEqual(before);
    const typed = await t.gql(`{ familyDoctorRoster(orgUnit: "${COMMUNITY}") { totalCount } }`);
    expect(typed.data.familyDoctorRoster.totalCount).toBe(3);
  }, 120_000);

  it('npm run templates:check lists what the next start will change, and what it will refuse', async () => {
    expect(fs.existsSync(CHECK_CLI)).toBe(true);
    const db = t.config.database;
    const env = { ...process.env, TEMPLATES_DIR: dir, JWT_SECRET: 'test-only-jwt-secret-0123456789abcdef', ...databaseEnv() };
    const settled = await run(process.execPath, [CHECK_CLI], { env, cwd: ROOT });
    expect(settled.stdout).toMatch(/数据库结构与字段字典一致/);

    const more = await templatesWithNewField();
    fs.appendFileSync(path.join(more, 'dictionary.yaml'), '  - { key: volunteerHours, label: 志愿服务时长, entity: resident, section: other, type: decimal, scale: 1, min: 0, max: 10000, sensitivity: ordinary }\n');
    const pending = await run(process.execPath, [CHECK_CLI], { env: { ...env, TEMPLATES_DIR: more }, cwd: ROOT });
    expect(pending.stdout).toMatch(/下次启动将.*1 项/);
    expect(pending.stdout).toMatch(/residents.*volunteer_hours.*decimal\(12,1\).*志愿服务时长/);
    expect(await columnsOf('residents')).not.toContain('volunteer_hours'); // the check changes nothing

    const unreachable = db.kind === 'sqlite' ? { SQLITE_PATH: path.join(more, 'nowhere', 'none.sqlite') } : { DATABASE_URL: 'postgres://app@127.0.0.1:1/none', DATABASE_OWNER_URL: 'postgres://app@127.0.0.1:1/none' };
    const blind = await run(process.execPath, [CHECK_CLI], { env: { ...env, ...unreachable }, cwd: ROOT });
    expect(blind.stdout).toMatch(/无法读取数据库/);
  }, 60_000);

  it('stops the start when a field whose column holds values is removed, retyped or moved, and changes nothing', async () => {
    const withoutF92 = async () => {
      const d = await templatesWithNewField();
      fs.rmSync(path.join(d, 'F92.yaml'));
      return d;
    };
    const removed = await withoutF92();
    const dictionary = path.join(removed, 'dictionary.yaml');
    fs.writeFileSync(dictionary, fs.readFileSync(dictionary, 'utf8').replace(/^.*key: pensionInsurance,.*\n/m, ''));
    const gone = await startFails(removed);
    expect(gone).toMatch(/pensionInsurance/);
    expect(gone).toMatch(/养老保险参保情况/);
    expect(gone).toMatch(/residents\.pension_insurance.*4 条记录有值/);
    expect(gone).toMatch(/加回/);

    const [{ n: contracts }] = await t.dataSource.query('SELECT COUNT(family_doctor_contract) AS n FROM residents');
    const retyped = await withoutF92();
    editField(retyped, 'familyDoctorContract', (l) => l.replace('type: boolean', 'type: integer'));
    const typeChange = await startFails(retyped);
    expect(typeChange).toMatch(/familyDoctorContract.*家庭医生签约.*boolean.*integer/);
    expect(typeChange).toMatch(new RegExp(`residents\\.family_doctor_contract 已有 ${Number(contracts)} 条记录有值`));

    const moved = await withoutF92();
    editField(moved, 'familyDoctorContractDate', (l) => l.replace('entity: resident', 'entity: household'));
    const move = await startFails(moved);
    expect(move).toMatch(/familyDoctorContractDate.*resident.*household/);

    // Nothing was dropped or changed by the refused starts.
    const columns = await columnsOf('residents');
    expect(columns.get('pension_insurance')).toBeDefined();
    expect(columns.get('family_doctor_contract')).toBe('boolean');
    expect((await columnsOf('households')).has('family_doctor_contract_date')).toBe(false);
    const [{ n }] = await t.dataSource.query('SELECT COUNT(pension_insurance) AS n FROM residents');
    expect(Number(n)).toBe(4);
  }, 120_000);

  it('makes the changes that lose nothing: a wider text column (values and its unique index kept), an empty column retyped or dropped', async () => {
    const gentle = await templatesWithNewField();
    editField(gentle, 'currentAddress', (l) => l.replace('maxLength: 200', 'maxLength: 250'));
    editField(gentle, 'heightCm', (l) => l.replace('type: integer', 'type: decimal, scale: 1'));
    editField(gentle, 'photoCollected', () => '');
    const f03 = path.join(gentle, 'F03.yaml'); // F03's column 近期照片 left blank instead
    fs.writeFileSync(f03, fs.readFileSync(f03, 'utf8').replace(/\{ key: photoCollected, field: photoCollected[^}]*\} \}/, '{ key: photoCollected, constant: "" }'));
    const direct = (sql: string) => queryDirect({ ...process.env, ...sameDatabase() }, sql) as Promise<Record<string, any>[]>;
    const addresses = async () => (await direct('SELECT grid_code, current_address FROM households ORDER BY id')).map((r) => `${r.grid_code} ${r.current_address}`);
    const before = await addresses();
    expect(before.length).toBe(4);
    expect((await direct('SELECT COUNT(height_cm) AS n, COUNT(photo_collected) AS m FROM residents')).map((r) => [Number(r.n), Number(r.m)])).toEqual([[0, 0]]);

    const env = { ...process.env, JWT_SECRET: 'test-only-jwt-secret-0123456789abcdef', SEED_DEMO: 'false', TEMPLATES_DIR: gentle, ...databaseEnv() };
    const started = await startServer(env);
    await started.stop();
    expect(started.output()).toMatch(/按字段字典变更数据库结构：households\.current_address 由 varchar\(200\) 放宽为 varchar\(250\)/);

    const columns = await columnsOf('households');
    expect(isPostgres() ? (await direct(`SELECT character_maximum_length AS n FROM information_schema.columns WHERE table_name = 'households' AND column_name = 'current_address'`))[0].n : columns.get('current_address')).toBe(isPostgres() ? 250 : 'varchar(250)');
    expect(await addresses()).toEqual(before);
    expect(await indexesOf('households')).toContain('UQ_households_grid_address');
    const residents = await columnsOf('residents');
    expect(residents.get('height_cm')).toMatch(/^(numeric|decimal\(12,1\))$/);
    expect(residents.has('photo_collected')).toBe(false);
    const recorded = (await changes()).filter((c) => ['currentAddress', 'heightCm', 'photoCollected'].includes(c.field));
    expect(recorded.map((c) => [c.change, c.field, c.column_type])).toEqual([
      ['widen_column', 'currentAddress', 'varchar(250)'],
      ['retype_column', 'heightCm', 'decimal(12,1)'],
      ['drop_column', 'photoCollected', null],
    ]);
  }, 120_000);

  it('answers an export whose rows cannot be read with an error, never a 200 with a broken file', async () => {
    // The column goes behind the app's back (an operator's mistake): the export's query fails before its first byte.
    await queryDirect({ ...process.env, ...sameDatabase() }, 'ALTER TABLE residents DROP COLUMN pension_insurance');
    const res = await request(server()).get(`/exports/F92?orgUnit=${COMMUNITY}`).set(t.auth).buffer(true).parse(binary);
    expect(res.status).toBe(500);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(JSON.parse(res.body.toString('utf8'))).toMatchObject({ code: 'INTERNAL_SERVER_ERROR' });
  });
});
