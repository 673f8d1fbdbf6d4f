import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';

// npm run templates:draft, compiled (`npm test` builds first), as an IT person runs it.
const ROOT = path.resolve(import.meta.dirname, '../..');
const VARIED = path.resolve(ROOT, '../shared/forms/varied');
const V01 = path.join(VARIED, 'V01_assistance_recipients.xlsx');

// The tools run on their own SQLite file, whatever database this test run uses: templates:check also reads the
// database, and the shared test database's state is not this test's business.
const OWN_DATABASE = { DATABASE_URL: '', DATABASE_OWNER_URL: '', DATABASE_REPLICA_URL: '', SQLITE_PATH: path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'yibiaotong-draft-db-')), 'none.sqlite') };

function run(cli: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/src/cli', cli), ...args], { cwd: ROOT, env: { ...process.env, ...OWN_DATABASE, ...env }, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm run templates:draft', () => {
  let dir: string;
  beforeAll(() => {
    // templates/ before the V forms arrived.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yibiaotong-draft-'));
    fs.cpSync(path.join(ROOT, 'templates'), dir, { recursive: true });
    for (const code of ['V01', 'V02', 'V03']) for (const f of [`${code}.yaml`, `forms/${code}.xlsx`]) fs.rmSync(path.join(dir, f));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('explains itself with --help (exit 0) and refuses bad arguments in Chinese (exit 2)', () => {
    const help = run('templates-draft.cli.js', ['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('用法：npm run templates:draft -- 表样.xlsx');
    const none = run('templates-draft.cli.js', []);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('错误：须提供部门表样文件');
    const odd = run('templates-draft.cli.js', [V01, '--colour']);
    expect(odd.status).toBe(2);
    expect(odd.stderr).toContain('不认识的参数 "--colour"');
    const taken = run('templates-draft.cli.js', [V01, '--code', 'F01'], { TEMPLATES_DIR: dir });
    expect(taken.status).toBe(2);
    expect(taken.stderr).toContain('F01 已有模板');
  });

  it('prints the draft as JSON with --json', () => {
    const r = run('templates-draft.cli.js', [path.join(VARIED, 'V03_floating_population_by_grid.xlsx'), '--json'], { TEMPLATES_DIR: dir });
    expect(r.status).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(Object.keys(d).sort()).toEqual(['code', 'columns', 'layout', 'newFields']);
    expect(d.code).toBe('V03');
    expect(d.layout).toMatchObject({ kind: 'summary', groupBy: 'grid', countsForm: 'F07' });
    expect(d.columns).toHaveLength(10);
    for (const c of d.columns) {
      expect(Object.keys(c).sort()).toEqual(['alternatives', 'confidence', 'groups', 'header', 'index', 'source']);
      for (const a of c.alternatives) expect(Object.keys(a).sort()).toEqual(['confidence', 'source']);
    }
    expect(d.columns[1]).toMatchObject({ index: 2, header: '网格', groups: [], source: { orgUnit: 'grid' } });
    expect(d.columns[3]).toMatchObject({ header: '务工', groups: ['居住事由'] });
    expect(d.newFields).toEqual([]);
  });

  it('writes a YAML draft that templates:check refuses until a person fills the row filter, then accepts', () => {
    const out = path.join(dir, 'V01.yaml');
    const r = run('templates-draft.cli.js', [V01, '--out', out], { TEMPLATES_DIR: dir });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`已写入 ${out}`);
    fs.copyFileSync(V01, path.join(dir, 'forms', 'V01.xlsx'));
    const text = fs.readFileSync(out, 'utf8');
    expect(text).toMatch(/# 待定：行条件/);
    expect(text).toMatch(/# 待定：排序/);

    const before = run('templates-check.cli.js', [], { TEMPLATES_DIR: dir });
    expect(before.status).toBe(1);
    expect(before.stderr).toContain('V01.yaml 中 rows.where');

    fs.writeFileSync(out, text.replace('where: 待填写', 'where: [{ field: minimumLivingAllowance, equals: true }]'));
    const after = run('templates-check.cli.js', [], { TEMPLATES_DIR: dir });
    expect(after.stderr).toBe('');
    expect(after.status).toBe(0);
    expect(after.stdout).toContain('V01 困难群众救助对象花名册');
    expect(parse(fs.readFileSync(out, 'utf8')).columns[4]).toEqual({ key: 'householdSize', householdSize: true });
  });
});
