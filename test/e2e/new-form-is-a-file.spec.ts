import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ageOn, todayIso } from '../../src/identity/index.js';
import { COMMUNITY, GRID, GRID_2, idNumber, insertOrgFixture } from '../support/fixtures.js';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe(`a new department form is a file, not code (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  const today = todayIso();
  const year = Number(today.slice(0, 4));
  // [birth date, sequence (odd: man), grid]
  const people: [string, number, string][] = [
    [`${year - 85}0101`, 11, GRID], // 85, man
    [`${year - 92}0101`, 12, GRID], // 92, woman
    [`${year - 101}0101`, 14, GRID_2], // 101, woman
    [`${year - 70}0101`, 15, GRID_2], // 70, man
    [`${year - 65}0101`, 16, GRID], // 65, woman
    [`${year - 40}0101`, 17, GRID], // 40: in no column
  ];

  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yibiaotong-templates-'));
    fs.cpSync(path.join(ROOT, 'templates'), dir, { recursive: true });
    for (const f of ['F90.yaml', 'F91.yaml']) fs.copyFileSync(path.join(ROOT, 'test/fixtures/extra-templates', f), path.join(dir, f));
    t = await createTestApp({ env: { TEMPLATES_DIR: dir } });
    await insertOrgFixture(t.dataSource);
    for (const [i, [birth, sequence, grid]] of people.entries()) {
      const res = await t.gql(`mutation ($i: UpsertResidentInput!) { upsertResident(input: $i) { id } }`, {
        i: { idNumber: idNumber('500106', birth, sequence), gridCode: grid, name: `居民${i}`, currentAddress: `长寿路${i}号` },
      });
      expect(res.errors).toBeUndefined();
    }
  });
  afterAll(() => t.close());

  it('lists the new templates and gives each its typed query', async () => {
    const res = await t.gql('{ templates { code query department columns { key header type } } }');
    const f90 = res.data.templates.find((x: any) => x.code === 'F90');
    expect(f90).toMatchObject({ query: 'oldAgeAllowanceRoster', department: '区民政局' });
    expect(f90.columns.find((c: any) => c.key === 'amount')).toEqual({ key: 'amount', header: ['发放标准', '月发放额（元）'], type: 'integer' });
  });

  it('computes banded lookups and the 合计 row', async () => {
    const res = await t.gql(`{ oldAgeAllowanceRoster(orgUnit: "${COMMUNITY}") { title totalCount rows { rowNumber name age ageBand amount bornMonth gridName } totals { name idNumber amount age } } }`);
    expect(res.errors).toBeUndefined();
    const r = res.data.oldAgeAllowanceRoster;
    expect(r.title).toBe('陈家桥街道桥北社区高龄津贴发放名册');
    const age = (birth: string) => ageOn(`${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6)}`, today);
    expect(r.rows).toEqual([
      { rowNumber: 1, name: '居民2', age: age(people[2][0]), ageBand: '百岁及以上', amount: 600, bornMonth: `${year - 101}年1月`, gridName: '第二网格' },
      { rowNumber: 2, name: '居民1', age: age(people[1][0]), ageBand: '90-99岁', amount: 300, bornMonth: `${year - 92}年1月`, gridName: '第一网格' },
      { rowNumber: 3, name: '居民0', age: age(people[0][0]), ageBand: '80-89岁', amount: 100, bornMonth: `${year - 85}年1月`, gridName: '第一网格' },
    ]);
    // The 合计 row has a type of its own: the count under the text column 公民身份号码 is an integer.
    expect(r.totals).toEqual({ name: '合计', idNumber: 3, amount: 1000, age: null });
  });

  it('groups a summary by grid and splits it by age band and sex', async () => {
    const fields = 'rowNumber community grid age60Male age60Female age80Male age80Female elderly';
    const res = await t.gql(`{ elderlyByAgeAndSex(orgUnit: "${COMMUNITY}") { title rows { ${fields} } totals { ${fields} } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.elderlyByAgeAndSex.rows).toEqual([
      { rowNumber: 1, community: '桥北社区', grid: '第一网格', age60Male: 0, age60Female: 1, age80Male: 1, age80Female: 1, elderly: 3 },
      { rowNumber: 2, community: '桥北社区', grid: '第二网格', age60Male: 1, age60Female: 0, age80Male: 0, age80Female: 1, elderly: 2 },
    ]);
    // The typed query gives a summary's 合计 row as `totals` (formView keeps it as the last row).
    expect(res.data.elderlyByAgeAndSex.totals).toEqual({ rowNumber: null, community: '合计', grid: null, age60Male: 1, age60Female: 1, age80Male: 1, age80Female: 2, elderly: 5 });
  });
});
