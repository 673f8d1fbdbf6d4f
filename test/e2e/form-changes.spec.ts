import { ChangeLog } from '../../src/feeds/change-log.js';
import { todayIso } from '../../src/identity/index.js';
import { idNumber } from '../support/fixtures.js';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

/**
 * The change feed per form (formChanges): clients sync page by page while random edits, moves, deregistrations,
 * household and staff changes and visits go through the API; at the end each client's copy equals formView's rows
 * (without the positional row number), and every ENTERED / CHANGED / LEFT it received was exact for what it held.
 */
const DEMO_PASSWORD = 'yibiaotong2026';
const STREET = '500106108000';
const COMMUNITY = '500106108001';
const DISTRICT = '500106000000';

type Gql = TestApp['gql'];
type Copy = Map<string, unknown[]>;

const FEED = `query ($code: String!, $org: String!, $after: String, $first: Int) {
  formChanges(code: $code, orgUnit: $org, after: $after, first: $first) {
    columns { key } changes { kind key cursor row at } pageInfo { hasNextPage endCursor } } }`;
const VIEW = `query ($code: String!, $org: String!, $after: String) {
  formView(code: $code, orgUnit: $org, first: 500, after: $after) { columns { key } rows keys pageInfo { hasNextPage endCursor } } }`;

/** A client of the feed: its copy of the rows by key, and the cursor it holds. */
class Client {
  copy: Copy = new Map();
  cursor: string | null = null;
  columns: string[] = [];
  received = { ENTERED: 0, CHANGED: 0, LEFT: 0 };

  constructor(
    readonly name: string,
    readonly gql: Gql,
    readonly code: string,
    readonly org: string,
  ) {}

  /** One page; each change must fit what the copy holds (exactness), then is applied. */
  async pull(first: number): Promise<boolean> {
    const res = await this.gql(FEED, { code: this.code, org: this.org, after: this.cursor, first });
    expect(res.errors).toBeUndefined();
    const page = res.data.formChanges;
    this.columns = page.columns.map((c: { key: string }) => c.key);
    for (const c of page.changes) {
      if (c.kind === 'ENTERED') expect([this.name, c.key, this.copy.has(c.key)]).toEqual([this.name, c.key, false]);
      else expect([this.name, c.kind, c.key, this.copy.has(c.key)]).toEqual([this.name, c.kind, c.key, true]);
      if (c.kind === 'CHANGED') expect([this.name, c.key, c.row]).not.toEqual([this.name, c.key, this.copy.get(c.key)]);
      if (c.kind === 'LEFT') this.copy.delete(c.key);
      else this.copy.set(c.key, c.row);
      this.received[c.kind as keyof Client['received']]++;
    }
    this.cursor = page.pageInfo.endCursor;
    return page.pageInfo.hasNextPage;
  }

  async catchUp(first = 50): Promise<void> {
    while (await this.pull(first));
  }

  /** formView's rows for the same viewer, form and unit, keyed, without the row number. */
  async view(): Promise<Copy> {
    const rows: Copy = new Map();
    let after: string | null = null;
    for (;;) {
      const res: any = await this.gql(VIEW, { code: this.code, org: this.org, after });
      expect(res.errors).toBeUndefined();
      const v = res.data.formView;
      const keep = v.columns.map((c: { key: string }, i: number) => (c.key === 'rowNumber' ? -1 : i)).filter((i: number) => i >= 0);
      expect(keep.map((i: number) => v.columns[i].key)).toEqual(this.columns);
      v.rows.forEach((r: unknown[], i: number) => rows.set(v.keys[i], keep.map((k: number) => r[k])));
      if (!v.pageInfo.hasNextPage) return rows;
      after = v.pageInfo.endCursor;
    }
  }
}

const sorted = (m: Copy) => Object.fromEntries([...m].sort(([a], [b]) => Number(a) - Number(b)));

/** A small deterministic generator: the same run on both databases. */
function random(seed: number) {
  let s = seed;
  const next = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  return { next, pick: <T>(list: T[]): T => list[Math.floor(next() * list.length)] };
}

describe(`change feeds per form (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  let clients: Client[];
  const q = (n: number) => (isPostgres() ? `$${n}` : '?');

  beforeAll(async () => {
    t = await createTestApp({ seedDemo: true });
    const as = async (username: string) => (await t.as({ username, password: DEMO_PASSWORD, role: 'admin' })).gql;
    clients = [
      new Client('qiaobei F01', await as('qiaobei'), 'F01', COMMUNITY),
      new Client('minzheng F02 (masked)', await as('minzheng'), 'F02', DISTRICT),
      new Client('chenjiaqiao F04', await as('chenjiaqiao'), 'F04', STREET),
      new Client('paichusuo F07', await as('paichusuo'), 'F07', STREET),
    ];
  }, 120_000);
  afterAll(() => t?.close());

  const sql = (text: string, params: unknown[] = []) => t.dataSource.query(text, params) as Promise<Record<string, any>[]>;
  const version = async (id: string) => (await t.gql(`{ resident(idNumber: "${id}") { version status } }`)).data.resident as { version: number; status: string };

  it('a client that applies every page has exactly the rows formView shows, whatever happened in between', async () => {
    // Start: every client takes the form from the beginning, in small pages, while nothing changes yet.
    for (const c of clients) await c.catchUp(37);
    for (const c of clients) expect([c.name, sorted(c.copy)]).toEqual([c.name, sorted(await c.view())]);
    expect(clients.every((c) => c.copy.size > 0)).toBe(true);
    // Masking: the department without full values gets ID numbers as formView gives them (masked).
    const minzheng = clients[1];
    const idAt = minzheng.columns.indexOf('idNumber');
    expect([...minzheng.copy.values()].every((r) => /^\d{6}\*{8}\d{3}[\dX]$/.test(String(r[idAt])))).toBe(true);

    const street = await t.as({ username: 'chenjiaqiao', password: DEMO_PASSWORD, role: 'admin' });
    const residents = (await sql(`SELECT id_number, grid_code FROM residents WHERE grid_code >= ${q(1)} AND grid_code < ${q(2)} AND deregistered_on IS NULL ORDER BY id`, [STREET.slice(0, 9), `${STREET.slice(0, 9)}:`])).map((r) => String(r.id_number));
    const grids = (await sql(`SELECT code FROM org_units WHERE level = 'grid' AND code >= ${q(1)} AND code < ${q(2)} ORDER BY code`, [STREET.slice(0, 9), `${STREET.slice(0, 9)}:`])).map((r) => String(r.code));
    const staff = await sql(`SELECT id, org_unit_code FROM staff WHERE org_unit_code >= ${q(1)} AND org_unit_code < ${q(2)} ORDER BY id`, [STREET.slice(0, 9), `${STREET.slice(0, 9)}:`]);
    const households = (await sql(`SELECT h.id FROM households h WHERE h.dwelling_type = '2' AND h.grid_code >= ${q(1)} AND h.grid_code < ${q(2)} ORDER BY h.id`, [STREET.slice(0, 9), `${STREET.slice(0, 9)}:`])).map((r) => Number(r.id));
    expect([residents.length > 20, grids.length > 2, staff.length > 0, households.length > 0]).toEqual([true, true, true, true]);

    // Half the picks among the people of the small forms (F01, F02), so that they change, leave and come back too.
    const members = [...clients[0].copy.keys(), ...clients[1].copy.keys()].map(Number);
    const inForms = (await sql(`SELECT id_number FROM residents WHERE id IN (${members.map((_, i) => q(i + 1)).join(', ')}) ORDER BY id`, members)).map((r) => String(r.id_number));
    const rnd = random(20261125);
    const done: Record<string, number> = {};
    const ok = (kind: string, res: { errors?: unknown }) => {
      if (!res.errors) done[kind] = (done[kind] ?? 0) + 1;
    };
    let mid: { cursor: string | null; copy: Copy } | null = null;
    for (let step = 0; step < 90; step++) {
      const id = rnd.pick(rnd.next() < 0.5 ? inForms : residents);
      const { version: v, status } = await version(id);
      const op = rnd.pick(['field', 'field', 'field', 'phone', 'move', 'leave', 'visit', 'visit', 'household', 'staff']);
      if (status === '已注销') {
        ok('restore', await t.gql('mutation ($id: String!, $v: Int) { restoreResident(idNumber: $id, expectedVersion: $v, reason: "误操作") { id } }', { id, v }));
      } else if (op === 'field') {
        const fields = rnd.pick<Record<string, unknown>>([
          { livingArrangement: rnd.pick(['1', '2', '3']) },
          { maritalStatus: rnd.pick(['20', '30']), childrenCount: rnd.pick([0, 1]) },
          { registrationType: rnd.pick(['1', '2']) },
          { name: rnd.pick(['张三', '李四', '王五', '赵六']) },
          { healthStatus: rnd.pick(['1', '2', '3']) },
        ]);
        ok('field', await t.gql('mutation ($i: UpsertResidentInput!) { upsertResident(input: $i) { id } }', { i: { idNumber: id, expectedVersion: v, ...fields } }));
      } else if (op === 'phone') {
        ok('phone', await t.gql('mutation ($i: UpsertResidentInput!) { upsertResident(input: $i) { id } }', { i: { idNumber: id, expectedVersion: v, phone: `139${String(step).padStart(4, '0')}${rnd.pick(['1234', '5678'])}` } }));
      } else if (op === 'move') {
        const [{ grid_code: from }] = await sql(`SELECT grid_code FROM residents WHERE id_number = ${q(1)}`, [id]);
        const to = rnd.pick(grids.filter((g) => g !== from));
        ok('move', await street.gql('mutation ($id: String!, $g: String, $v: Int) { transferResident(idNumber: $id, gridCode: $g, expectedVersion: $v) { id } }', { id, g: to, v }));
      } else if (op === 'leave') {
        ok('leave', await t.gql('mutation ($id: String!, $v: Int, $d: String) { deregisterResident(idNumber: $id, reason: "9", effectiveDate: $d, note: "测试", expectedVersion: $v) { id } }', { id, v, d: todayIso() }));
      } else if (op === 'visit') {
        const [{ grid_code: grid }] = await sql(`SELECT grid_code FROM residents WHERE id_number = ${q(1)}`, [id]);
        const visitor = staff.find((s) => String(grid).startsWith(String(s.org_unit_code))) ?? staff[0];
        ok('visit', await t.gql('mutation ($i: RecordVisitInput!) { recordVisit(input: $i) { id } }', { i: { residentIdNumber: id, staffId: Number(visitor.id), visitDate: todayIso(), visitMethod: '1', disposition: '1' } }));
      } else if (op === 'household') {
        const hid = rnd.pick(households);
        const [{ version: hv }] = await sql(`SELECT version FROM households WHERE id = ${q(1)}`, [hid]);
        ok('household', await t.gql('mutation ($i: UpsertHouseholdInput!) { upsertHousehold(input: $i) { id } }', { i: { id: hid, expectedVersion: Number(hv), landlordName: rnd.pick(['房东甲', '房东乙', '房东丙']) } }));
      } else {
        const s = rnd.pick(staff);
        const [{ version: sv }] = await sql(`SELECT version FROM staff WHERE id = ${q(1)}`, [Number(s.id)]);
        ok('staff', await t.gql('mutation ($i: UpsertStaffInput!) { upsertStaff(input: $i) { id } }', { i: { id: Number(s.id), expectedVersion: Number(sv), staffName: rnd.pick(['周工', '吴工', '郑工']) } }));
      }
      // Clients pull a page now and then, mid-stream.
      const client = rnd.pick(clients);
      await client.pull(rnd.pick([1, 3, 7]));
      if (step === 45) mid = { cursor: clients[0].cursor, copy: new Map(clients[0].copy) };
    }
    for (const kind of ['field', 'phone', 'move', 'leave', 'visit', 'household', 'staff']) expect([kind, (done[kind] ?? 0) > 0]).toEqual([kind, true]);

    for (const c of clients) await c.catchUp(11);
    for (const c of clients) expect([c.name, sorted(c.copy)]).toEqual([c.name, sorted(await c.view())]);
    // Every kind of change reached someone.
    const total = clients.reduce((n, c) => ({ ENTERED: n.ENTERED + c.received.ENTERED, CHANGED: n.CHANGED + c.received.CHANGED, LEFT: n.LEFT + c.received.LEFT }), { ENTERED: 0, CHANGED: 0, LEFT: 0 });
    expect(total.CHANGED > 0 && total.LEFT > 0).toBe(true);

    // Resumable from any cursor it held: a copy saved mid-run catches up to the same rows.
    const resumed = new Client('qiaobei F01 resumed', clients[0].gql, 'F01', COMMUNITY);
    resumed.cursor = mid!.cursor;
    resumed.copy = mid!.copy;
    await resumed.catchUp(5);
    expect(sorted(resumed.copy)).toEqual(sorted(clients[0].copy));
  }, 600_000);

  it('a change a masked viewer cannot see is not sent to it; one it can see is, with the new values', async () => {
    const minzheng = clients[1];
    const qiaobeiF01 = clients[0];
    await minzheng.catchUp();
    const phoneAt = minzheng.columns.indexOf('phone');
    const [key, row] = [...minzheng.copy].find(([, r]) => typeof r[phoneAt] === 'string' && (r[phoneAt] as string).length === 11)!;
    const [{ id_number: id, phone }] = await sql(`SELECT id_number, phone FROM residents WHERE id = ${q(1)}`, [Number(key)]);
    const { version: v } = await version(id);
    // Only the hidden middle digits change: the masked row is the same.
    const hidden = `${phone.slice(0, 3)}${phone.slice(3, 7) === '0000' ? '1111' : '0000'}${phone.slice(7)}`;
    expect((await t.gql('mutation ($i: UpsertResidentInput!) { upsertResident(input: $i) { id } }', { i: { idNumber: id, expectedVersion: v, phone: hidden } })).errors).toBeUndefined();
    const before = minzheng.received.CHANGED;
    await minzheng.catchUp();
    expect(minzheng.received.CHANGED).toBe(before);
    expect(minzheng.copy.get(key)).toEqual(row);
    // A change it can see comes with the new values (masked), in the same second as the one before.
    const shown = `${phone.slice(0, 3)}0000${phone.slice(7, 10)}${phone.slice(10) === '9' ? '8' : '9'}`;
    expect((await t.gql('mutation ($i: UpsertResidentInput!) { upsertResident(input: $i) { id } }', { i: { idNumber: id, expectedVersion: v + 1, phone: shown } })).errors).toBeUndefined();
    await minzheng.catchUp();
    expect(minzheng.received.CHANGED).toBe(before + 1);
    expect(minzheng.copy.get(key)![phoneAt]).toBe(`${shown.slice(0, 3)}****${shown.slice(7)}`);
    await qiaobeiF01.catchUp();
    expect(sorted(minzheng.copy)).toEqual(sorted(await minzheng.view()));
  }, 120_000);

  it('refuses summary forms, foreign cursors and other departments\' forms with stable codes', async () => {
    const code = async (gql: Gql, vars: Record<string, unknown>) => (await gql(FEED, vars)).errors?.[0]?.extensions?.code;
    expect(await code(t.gql, { code: 'F09', org: STREET })).toBe('FEED_NOT_SUPPORTED');
    expect(await code(t.gql, { code: 'F01', org: STREET, after: 'bm90LWEtY3Vyc29y' })).toBe('BAD_FEED_CURSOR');
    expect(await code(clients[1].gql, { code: 'F07', org: DISTRICT })).toBe('NOT_FOUND');
    expect(await code(clients[0].gql, { code: 'F01', org: '500113005001' })).toBe('NOT_FOUND');
  });

  it('a new day logs what the date changes without a ledger change: a birthday brings a resident into F01', async () => {
    const day = (offset: number) => {
      const d = new Date(`${todayIso()}T00:00:00Z`);
      d.setUTCDate(d.getUTCDate() + offset);
      return d.toISOString().slice(0, 10);
    };
    const tomorrow = day(1);
    // Living alone, 60 tomorrow: not on F01 today.
    const birth = `${Number(tomorrow.slice(0, 4)) - 60}${tomorrow.slice(5, 7)}${tomorrow.slice(8, 10)}`;
    const id = idNumber('500106', birth, 901);
    const saved = await t.gql('mutation ($i: UpsertResidentInput!) { upsertResident(input: $i) { id } }', {
      i: { idNumber: id, gridCode: '500106108001001', name: '明天满六十', currentAddress: '桥北路9号', livingArrangement: '1', registeredOn: todayIso() },
    });
    expect(saved.errors).toBeUndefined();
    const key = String(saved.data.upsertResident.id);
    const inFeed = async () => (await sql(`SELECT row_key FROM feed_rows WHERE form_code = 'F01' AND row_key = ${q(1)}`, [Number(key)])).length > 0;
    expect(await inFeed()).toBe(false);
    const head = async () => Number((await sql('SELECT MAX(seq) AS s FROM feed_changes'))[0].s);
    const before = await head();
    await t.app.get(ChangeLog).ensureCurrent('F01', tomorrow);
    // The birthday's row was logged as entered, and F01's logged rows are tomorrow's view.
    expect(await inFeed()).toBe(true);
    const entries = await sql(`SELECT form_code, row_key, grid_before FROM feed_changes WHERE seq > ${q(1)}`, [before]);
    expect(entries.map((e) => [e.form_code, String(e.row_key), e.grid_before])).toContainEqual(['F01', key, null]);
    const logged = (await sql(`SELECT row_key FROM feed_rows WHERE form_code = 'F01' AND grid_code >= ${q(1)} AND grid_code < ${q(2)} ORDER BY row_key`, [COMMUNITY, `${COMMUNITY}:`])).map((r) => String(r.row_key));
    const view = await t.gql(`query ($d: String) { formView(code: "F01", orgUnit: "${COMMUNITY}", referenceDate: $d, first: 500) { keys } }`, { d: tomorrow });
    expect(logged).toEqual([...view.data.formView.keys].sort((a: string, b: string) => Number(a) - Number(b)));
    expect(view.data.formView.keys).toContain(key);
    // Read today again (the clock as it is): the feed goes back to today's rows, the resident leaves F01 again.
    const client = new Client('qiaobei F01 again', clients[0].gql, 'F01', COMMUNITY);
    client.cursor = clients[0].cursor;
    client.copy = new Map(clients[0].copy);
    await client.catchUp();
    expect(client.copy.has(key)).toBe(false);
    expect(sorted(client.copy)).toEqual(sorted(await client.view()));
  }, 120_000);
});
