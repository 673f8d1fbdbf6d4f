import { jest } from '@jest/globals';
import { COMMUNITY, DISTRICT, GRID, idNumber } from '../support/fixtures.js';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

const UPSERT = `mutation ($i: UpsertResidentInput!) { upsertResident(input: $i) { id version } }`;
const DEREGISTER = `mutation ($id: String!, $v: Int) { deregisterResident(idNumber: $id, reason: "9", effectiveDate: "${todayIso()}", note: "测试", expectedVersion: $v) { id } }`;

function todayIso(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Last month as yyyy-mm (a period that has ended). */
function lastMonth(): string {
  const d = new Date();
  d.setDate(1);
  d.setMonth(d.getMonth() - 1);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}

/**
 * Department pulls page by page with keyset cursors: rows inserted and removed between pages (before and after the
 * cursor) neither repeat nor hide the others; cursors of the OFFSET era are refused; a COUNT runs only when
 * totalCount is asked for, and a typed query reads only the columns it selects.
 */
describe(`keyset pulls (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  let seq = 0;

  beforeAll(async () => {
    t = await createTestApp({ seedDemo: true });
  });
  afterAll(() => t.close());

  /**
   * The view's row keys now, by SQL written here: the district's residents still registered today that meet the
   * form's filter as the template states it.
   */
  async function districtIdsWhere(filter: string): Promise<Set<string>> {
    const rows = await t.dataSource.query(
      `SELECT id FROM residents WHERE grid_code >= '500106' AND grid_code < '500106:' AND ${filter} AND (deregistered_on IS NULL OR deregistered_on > '${todayIso()}')`,
    );
    return new Set(rows.map((r: { id: number }) => String(r.id)));
  }
  const f07Now = () => districtIdsWhere(`registration_type = '2'`);
  const f01Now = () => {
    const d = new Date();
    const cutoff = `${d.getFullYear() - 60}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
    return districtIdsWhere(`living_arrangement = '1' AND substr(id_number, 7, 8) <= '${cutoff}'`);
  };
  /** F05: residents with a disability category (the form's filter: the field present). */
  const f05Now = () => districtIdsWhere('disability_category IS NOT NULL');

  async function ok<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const res = await t.gql(query, variables);
    expect(res.errors).toBeUndefined();
    return res.data as T;
  }

  async function insert(fields: Record<string, unknown>, birth: string): Promise<{ id: string; idNumber: string }> {
    const id = idNumber('500106', birth, 700 + seq++ * 2);
    const made = (await ok(UPSERT, { i: { idNumber: id, gridCode: GRID, name: `插入${seq}`, currentAddress: `游标路${seq}号`, ...fields } })).upsertResident;
    return { id: String(made.id), idNumber: id };
  }

  async function remove(key: string): Promise<void> {
    const [r] = await t.dataSource.query(`SELECT id_number, version FROM residents WHERE id = ${Number(key)}`);
    await ok(DEREGISTER, { id: r.id_number, v: Number(r.version) });
  }

  const cases = [
    {
      form: 'F07', orgUnit: DISTRICT, now: f07Now, first: 7,
      // Registered long ago sorts before any cursor; today after (ties on the date end on the ID number).
      early: () => insert({ registrationType: '2', registeredOn: '2000-01-01' }, '19800101'),
      late: () => insert({ registrationType: '2', registeredOn: todayIso() }, '19991231'),
    },
    {
      form: 'F01', orgUnit: DISTRICT, now: f01Now, first: 3,
      // The first grid, born before everyone: before the cursor once the pull has left the grid's first rows.
      early: () => insert({ livingArrangement: '1' }, '19200101'),
      late: () => insert({ livingArrangement: '1' }, '19650101'),
    },
    {
      // Ordered by 残疾类别, 残疾等级, then the ID number: 视力 一级 born before everyone sorts first, 多重 四级 last.
      form: 'F05', orgUnit: DISTRICT, now: f05Now, first: 3,
      early: () => insert({ disabilityCategory: '1', disabilityGrade: '1' }, '19200101'),
      late: () => insert({ disabilityCategory: '7', disabilityGrade: '4' }, '19991231'),
    },
  ];

  for (const c of cases) {
    it(`${c.form}: every row present from the first page to the last is read exactly once, whatever changes between pages`, async () => {
      const start = await c.now();
      expect(start.size).toBeGreaterThan(c.first * 5);
      const query = `query ($after: String) { formView(code: "${c.form}", orgUnit: "${c.orgUnit}", first: ${c.first}, after: $after) { keys rows pageInfo { hasNextPage endCursor } } }`;
      const read: string[] = [];
      const removedUnread: string[] = [];
      const insertedLate: string[] = [];
      let after: string | null = null;
      let page = 0;
      for (;;) {
        const view: any = (await ok(query, { after })).formView;
        read.push(...view.keys);
        // 序号 goes on from page to page.
        expect(view.rows.map((r: unknown[]) => r[0])).toEqual(view.keys.map((_: string, i: number) => read.length - view.keys.length + i + 1));
        if (!view.pageInfo.hasNextPage) break;
        after = view.pageInfo.endCursor;
        page++;
        if (page % 2 === 1) {
          // Before the cursor: a new row that sorts first, and a row already read leaves.
          await c.early();
          await remove(read[Math.floor(read.length / 2)]);
        } else {
          // After the cursor: a new row that sorts last, and a row not read yet leaves.
          insertedLate.push((await c.late()).id);
          const unread = [...(await c.now())].filter((k) => !read.includes(k) && !insertedLate.includes(k));
          const gone = unread[unread.length - 1];
          if (gone) {
            await remove(gone);
            removedUnread.push(gone);
          }
        }
      }
      const end = await c.now();
      const counts = new Map<string, number>();
      for (const k of read) counts.set(k, (counts.get(k) ?? 0) + 1);
      expect([...counts].filter(([, n]) => n > 1)).toEqual([]);
      const kept = [...start].filter((k) => end.has(k));
      expect(kept.filter((k) => counts.get(k) !== 1)).toEqual([]);
      expect(removedUnread.length).toBeGreaterThan(0);
      expect(removedUnread.filter((k) => counts.has(k))).toEqual([]);
      expect(page).toBeGreaterThan(4);
      // Rows that entered behind the cursor are read when the pull reaches them.
      if (c.form !== 'F01') expect(insertedLate.filter((k) => !counts.has(k))).toEqual([]);
    });
  }

  it('refuses cursors of the OFFSET era, of another form, and garbage, as VALIDATION_FAILED / INVALID_CURSOR', async () => {
    const f01 = (await ok(`{ formView(code: "F01", orgUnit: "${COMMUNITY}", first: 2) { pageInfo { endCursor } } }`)).formView.pageInfo.endCursor;
    const attempts = [Buffer.from('o:100').toString('base64url'), 'not a cursor', f01];
    for (const after of attempts) {
      const res = await t.gql(`query ($a: String) { formView(code: "F02", orgUnit: "${COMMUNITY}", first: 5, after: $a) { keys } }`, { a: after });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'VALIDATION_FAILED', fieldErrors: [{ path: ['after'], code: 'INVALID_CURSOR' }] });
    }
    // The typed queries take the same cursors.
    const typed = await t.gql(`query ($a: String) { elderlyLivingAlone(orgUnit: "${COMMUNITY}", after: $a) { keys } }`, { a: attempts[0] });
    expect(typed.errors?.[0]?.extensions?.fieldErrors?.[0]?.code).toBe('INVALID_CURSOR');
    const next = await ok(`query ($a: String) { elderlyLivingAlone(orgUnit: "${COMMUNITY}", first: 2, after: $a) { keys } }`, { a: f01 });
    expect(next.elderlyLivingAlone.keys).toHaveLength(2);
  });

  it('counts only when totalCount is asked for, and a typed query reads only the columns it selects', async () => {
    const sql: string[] = [];
    const spy = jest.spyOn(t.dataSource.logger, 'logQuery').mockImplementation((q: string) => void sql.push(q));
    try {
      const counts = () => sql.filter((q) => /COUNT\(\*\)/i.test(q)).length;
      await ok(`{ formView(code: "F07", orgUnit: "${DISTRICT}", first: 50) { keys rows pageInfo { endCursor } } }`);
      expect(counts()).toBe(0);
      const asked = (await ok(`{ formView(code: "F07", orgUnit: "${DISTRICT}", first: 50) { ...counted } } fragment counted on FormView { totalCount }`)).formView;
      expect(counts()).toBe(1);
      expect(asked.totalCount).toBe((await f07Now()).size);

      sql.length = 0;
      const typed = (await ok(`{ floatingPopulation(orgUnit: "${DISTRICT}", first: 5) { rows { name registeredOn } } }`)).floatingPopulation;
      expect(counts()).toBe(0);
      expect(Object.keys(typed.rows[0]).sort()).toEqual(['name', 'registeredOn']);
      const page = sql.find((q) => q.includes('"v_name"'))!;
      expect(page).toContain('"v_registeredOn"');
      expect(page).not.toContain('"v_hukouAddress"');
      expect(page).not.toContain('"v_landlordName"');
    } finally {
      spy.mockRestore();
    }
  });

  it('pages a frozen report with the same opaque cursors, refused once the report was returned', async () => {
    const period = lastMonth();
    const community = await t.as({ username: 'ks-community', role: 'community_staff', orgUnitCode: COMMUNITY });
    const street = await t.as({ username: 'ks-street', role: 'street_office', orgUnitCode: '500106108000' });
    const submitted = (await community.gql(`mutation ($p: String!) { submitReport(code: "F01", orgUnit: "${COMMUNITY}", period: $p) { id rowCount } }`, { p: period })).data!.submitReport;
    expect(submitted.rowCount).toBeGreaterThan(4);
    const query = `query ($a: String, $p: String) { formView(code: "F01", orgUnit: "${COMMUNITY}", period: $p, first: 2, after: $a) { keys report { id } pageInfo { hasNextPage endCursor } } }`;
    const keys: string[] = [];
    let after: string | null = null;
    let firstCursor: string | null = null;
    do {
      const view: any = (await ok(query, { a: after, p: period })).formView;
      expect(view.report.id).toBe(submitted.id);
      keys.push(...view.keys);
      after = view.pageInfo.hasNextPage ? view.pageInfo.endCursor : null;
      firstCursor ??= after;
      expect(after === null || !/^\d+$/.test(Buffer.from(after, 'base64url').toString())).toBe(true);
    } while (after);
    const [snapshot] = await t.dataSource.query(`SELECT row_count FROM reports WHERE id = ${Number(submitted.id)}`);
    expect(keys).toHaveLength(Number(snapshot.row_count));
    expect(new Set(keys).size).toBe(keys.length);
    // Returned: the rows are live again, and a cursor into the frozen ones says so instead of paging the live view.
    expect((await street.gql(`mutation { returnReport(id: ${submitted.id}, reason: "请核对") { id } }`)).errors).toBeUndefined();
    const stale = await t.gql(query, { a: firstCursor, p: period });
    expect(stale.errors?.[0]?.extensions?.fieldErrors?.[0]?.code).toBe('INVALID_CURSOR');
  });
});
