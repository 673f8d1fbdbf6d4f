import http from 'node:http';
import { DataSource } from 'typeorm';
import { MAX_PULL_PAGE_SIZE } from '../src/access/page-size.js';
import { systemViewer } from '../src/access/viewer.js';
import { AccountsService } from '../src/auth/accounts.service.js';
import { todayIso } from '../src/identity/index.js';
import { birthKeyYearsBefore } from '../src/views/view-sql.js';
import { ViewsService } from '../src/views/views.service.js';
import { benchWants, fmt } from './bench-support.js';
import { benchResidents, keptDistrict, keptPostgres } from './kept-district.js';

// bench/pull: a department's pulls over HTTP with keyset cursors, on SQLite and PostgreSQL (the kept ledger of
// kept-district.ts, BENCH_RESIDENTS residents, a million by default):
//   - all of F07 (流动人口) for the whole district, page by page, against one plain SELECT of the same rows in the same
//     order; the time per page at the first and the last pages (BENCH_PULL_ROUNDS rounds, the median pull). Pages of
//     the largest size formView answers (MAX_PULL_PAGE_SIZE, as a syncing system asks) and of 500 (the issue's
//     baseline's pages); BENCH_PULL_PAGE sets the second;
//   - the first page of F01 for a community (BENCH_PULL_F01_RUNS runs), against the best hand-written query;
//   - F05 and F06, whose filter is "a field is present", through the service: the district in 2,000-row pages and a
//     community's first page (SQLite reads them from the field's or the form's own index: sql-dialect.ts).

const PAGES = [MAX_PULL_PAGE_SIZE, Number(process.env.BENCH_PULL_PAGE ?? 500)];
const F01_RUNS = Number(process.env.BENCH_PULL_F01_RUNS ?? 40);
const ROUNDS = Number(process.env.BENCH_PULL_ROUNDS ?? 3);
const DISTRICT = '500106000000';
const COMMUNITY = '500106108001';
const PASSWORD = 'bench-only-puller-password-2024';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

interface Pull {
  /** Rows a page asked for. */
  size: number;
  pages: number;
  pullMs: number;
  /** The same pull with fetch() as the client. */
  fetchMs: number;
  firstPages: number;
  lastPages: number;
}

interface Figures {
  label: string;
  f07Rows: number;
  plainMs: number;
  pulls: Pull[];
  f01View: number;
  f01Counted: number;
  f01Hand: number;
  /** F05 and F06 (filter: a field present), through the service: the district in 2,000-row pages, a community's first page. */
  present: { code: string; rows: number; pages: number; districtMs: number; communityMs: number }[];
}

/** A department account of 派出所 for the district (masked values: no reveal written per page), created once. */
async function pullerToken(graphql: string, accounts: AccountsService): Promise<string> {
  if (!(await accounts.list()).some((a) => a.username === 'bench-puller')) {
    await accounts.create(systemViewer('bench'), { username: 'bench-puller', displayName: '基准测试派出所', password: PASSWORD, role: 'department', department: '派出所', orgUnitCode: DISTRICT });
  }
  const res = await fetch(graphql, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: 'mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', variables: { u: 'bench-puller', p: PASSWORD } }),
  });
  const token = ((await res.json()) as { data?: { login?: { token: string } } }).data?.login?.token;
  if (!token) throw new Error(`基准测试账号登录失败（HTTP ${res.status}）`);
  return token;
}

async function onDatabase(label: 'SQLite' | 'PostgreSQL', residents: number): Promise<Figures> {
  const db = label === 'PostgreSQL' ? keptPostgres() : undefined;
  // A department pulls thousands of pages a minute: the per-account limit is for people.
  const limit = process.env.RATE_LIMIT_PER_MINUTE;
  const restore = () => (limit === undefined ? delete process.env.RATE_LIMIT_PER_MINUTE : (process.env.RATE_LIMIT_PER_MINUTE = limit));
  process.env.RATE_LIMIT_PER_MINUTE = '1000000';
  try {
    const { app } = await keptDistrict(label, residents, db);
    restore();
    try {
      const graphql = `${await app.getUrl()}/graphql`.replace('[::1]', '127.0.0.1');
      const token = await pullerToken(graphql, app.get(AccountsService));
      const dataSource = app.get(DataSource);
      const postgres = label === 'PostgreSQL';
      const p = (n: number) => (postgres ? `$${n}` : '?');
      const today = todayIso();

      // One plain SELECT: F07's rows for the district, the columns the form shows, in the form's order.
      const plain = () =>
        dataSource.query(
          `SELECT e.id, e.name, e.id_number, e.hukou_address, h.current_address, e.arrival_date, e.residence_reason, e.residence_permit,
                  h.dwelling_type, h.landlord_name, h.landlord_phone, e.phone, e.registered_on, g.name AS grid
             FROM residents e LEFT JOIN households h ON h.id = e.household_id JOIN org_units g ON g.code = e.grid_code
            WHERE e.grid_code >= ${p(1)} AND e.grid_code < ${p(2)} AND e.registration_type = '2' AND (e.deregistered_on IS NULL OR e.deregistered_on > ${p(3)})
            ORDER BY e.registered_on${postgres ? ' NULLS FIRST' : ''}, e.id_number, e.id`,
          ['500106', '500106:', today],
        );
      // The pull: page by page over HTTP, as a department's system would, without totalCount. The client is node:http
      // with a kept-alive connection: it shares this process (and its CPU) with the server, and Node's fetch spends more
      // time in its web streams than the server spends formatting a page; the fetch figure is printed beside it.
      const query = (size: number) => `query ($after: String) { formView(code: "F07", orgUnit: "${DISTRICT}", first: ${size}, after: $after) { keys rows pageInfo { hasNextPage endCursor } } }`;
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      type Page = { data?: { formView: { keys: string[]; pageInfo: { hasNextPage: boolean; endCursor: string } } }; errors?: unknown };
      const viaHttp = (body: string) =>
        new Promise<{ status: number; body: Page }>((resolve, reject) => {
          const req = http.request(graphql, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` } }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Page }));
            res.on('error', reject);
          });
          req.on('error', reject);
          req.end(body);
        });
      const viaFetch = async (body: string) => {
        const res = await fetch(graphql, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
        return { status: res.status, body: (await res.json()) as Page };
      };
      const pull = async (send: typeof viaHttp, size: number) => {
        const times: number[] = [];
        let after: string | null = null;
        let rows = 0;
        const t0 = process.hrtime.bigint();
        for (;;) {
          const t1 = process.hrtime.bigint();
          const { status, body } = await send(JSON.stringify({ query: query(size), variables: { after } }));
          if (!body.data) throw new Error(`F07 翻页失败（HTTP ${status}）：${JSON.stringify(body.errors)}`);
          times.push(ms(t1));
          rows += body.data.formView.keys.length;
          if (!body.data.formView.pageInfo.hasNextPage) break;
          after = body.data.formView.pageInfo.endCursor;
        }
        return { total: ms(t0), times, rows };
      };
      // Rounds of one plain SELECT and the pulls, interleaved: on a shared machine all see the same load.
      await plain();
      for (const size of PAGES) {
        await pull(viaHttp, size);
        await pull(viaFetch, size);
      }
      const plainRuns: number[] = [];
      const pulls = PAGES.map(() => [] as Awaited<ReturnType<typeof pull>>[]);
      const fetched = PAGES.map(() => [] as number[]);
      let f07Rows = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const t0 = process.hrtime.bigint();
        f07Rows = (await plain()).length;
        plainRuns.push(ms(t0));
        for (const [i, size] of PAGES.entries()) {
          pulls[i].push(await pull(viaHttp, size));
          fetched[i].push((await pull(viaFetch, size)).total);
        }
      }
      agent.destroy();
      const measured = PAGES.map((size, i): Pull => {
        const m = pulls[i].sort((a, b) => a.total - b.total)[Math.floor(pulls[i].length / 2)];
        if (m.rows !== f07Rows) throw new Error(`F07 每页 ${size} 行翻页读到 ${m.rows} 行，普通查询 ${f07Rows} 行`);
        const k = Math.min(5, m.times.length);
        return { size, pages: m.times.length, pullMs: m.total, fetchMs: median(fetched[i]), firstPages: median(m.times.slice(0, k)), lastPages: median(m.times.slice(-k)) };
      });

      // F01's first page for a community: the view (as the service answers GraphQL: with and without totalCount)
      // against the best hand-written query (deferred join, then the page's latest visits).
      const views = app.get(ViewsService);
      const viewer = { ...systemViewer('bench'), fullValues: false };
      const hand = async () => {
        const filter = `e.grid_code >= ${p(1)} AND e.grid_code < ${p(2)} AND e.living_arrangement = '1' AND substr(e.id_number, 7, 8) <= ${p(3)} AND (e.deregistered_on IS NULL OR e.deregistered_on > ${p(4)})`;
        const order = 'c.sort_order, c.code, g.sort_order, g.code, substr(e.id_number, 7, 8), e.id_number, e.id';
        const joins = 'JOIN org_units g ON g.code = e.grid_code JOIN org_units c ON c.code = g.parent_code';
        const page: { id: number }[] = await dataSource.query(
          `SELECT e.id, e.name, e.id_number, e.phone, h.current_address, e.health_status, e.emergency_contact_name, e.emergency_contact_relation,
                  e.emergency_contact_phone, e.old_age_allowance, e.minimum_living_allowance, e.extreme_poverty_support, g.name AS grid, e.remarks
             FROM residents e LEFT JOIN households h ON h.id = e.household_id ${joins}
            WHERE e.id IN (SELECT e.id FROM residents e ${joins} WHERE ${filter} ORDER BY ${order} LIMIT 100) ORDER BY ${order}`,
          [COMMUNITY, `${COMMUNITY}:`, birthKeyYearsBefore(today, 60), today],
        );
        const ids = page.map((r) => Number(r.id));
        await dataSource.query(`SELECT resident_id, MAX(visit_date) AS d FROM visits WHERE resident_id IN (${ids.map((_, i) => p(i + 1)).join(', ')}) GROUP BY resident_id`, ids);
      };
      // The selection a client pulling rows sends (keys rows pageInfo, as the F07 pull above), with and without totalCount.
      const view = (totalCount: boolean) => () => views.formView(viewer, { code: 'F01', orgUnit: COMMUNITY, first: 100 }, { select: { totalCount, totals: false, title: false } });
      // View and hand-written query alternate run by run, for the same reason.
      const cases = [view(false), view(true), hand];
      for (let i = 0; i < 5; i++) for (const work of cases) await work();
      const runs = cases.map(() => [] as number[]);
      for (let i = 0; i < F01_RUNS; i++) {
        for (const [c, work] of cases.entries()) {
          const t0 = process.hrtime.bigint();
          await work();
          runs[c].push(ms(t0));
        }
      }
      const [f01View, f01Counted, f01Hand] = runs.map(median);

      // F05 (残疾人) and F06 (退役军人): a form whose filter is "a field is present" (medians of ROUNDS pulls, 20 pages).
      const present: Figures['present'] = [];
      const select = { select: { totalCount: false, totals: false, title: false }, largestPage: MAX_PULL_PAGE_SIZE };
      for (const code of ['F05', 'F06']) {
        const district: { total: number; rows: number; pages: number }[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          const t0 = process.hrtime.bigint();
          let after: string | undefined;
          let rows = 0;
          let pages = 0;
          for (;;) {
            const page = await views.formView(viewer, { code, orgUnit: DISTRICT, first: MAX_PULL_PAGE_SIZE, after }, select);
            rows += page.keys.length;
            pages++;
            if (!page.pageInfo.hasNextPage) break;
            after = page.pageInfo.endCursor!;
          }
          district.push({ total: ms(t0), rows, pages });
        }
        const community: number[] = [];
        for (let i = 0; i < 20; i++) {
          const t0 = process.hrtime.bigint();
          await views.formView(viewer, { code, orgUnit: COMMUNITY, first: 100 }, select);
          community.push(ms(t0));
        }
        const m = district.sort((a, b) => a.total - b.total)[Math.floor(district.length / 2)];
        present.push({ code, rows: m.rows, pages: m.pages, districtMs: m.total, communityMs: median(community) });
      }
      return {
        label,
        f07Rows,
        plainMs: median(plainRuns),
        pulls: measured,
        f01View,
        f01Counted,
        f01Hand,
        present,
      };
    } finally {
      await app.close();
    }
  } finally {
    restore();
    db?.stop();
  }
}

export async function runPullBench(): Promise<void> {
  const residents = benchResidents();
  const figures: Figures[] = [];
  for (const label of ['SQLite', 'PostgreSQL'] as const) if (benchWants(label)) figures.push(await onDatabase(label, residents));
  console.log(`\nbench/pull: ${fmt(residents)} residents, F07 for the district in keyset pages over HTTP (ms; ratios: pull / plain SELECT, view / hand-written)\n`);
  console.log('| database | F07 rows | rows a page | pages | pull, all pages | one plain SELECT | ratio | page (first 5, median) | page (last 5, median) | pull with fetch() | ratio |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const f of figures) {
    for (const p of f.pulls) {
      console.log(`| ${f.label} | ${fmt(f.f07Rows)} | ${fmt(p.size)} | ${p.pages} | ${fmt(p.pullMs)} | ${fmt(f.plainMs)} | ${fmt(p.pullMs / f.plainMs, 2)}× | ${fmt(p.firstPages, 1)} | ${fmt(p.lastPages, 1)} | ${fmt(p.fetchMs)} | ${fmt(p.fetchMs / f.plainMs, 2)}× |`);
    }
  }
  console.log(`\n| database | F01 first page, one community: view | ratio | view with totalCount | ratio | hand-written (deferred join) |`);
  console.log('|---|---|---|---|---|---|');
  for (const f of figures) {
    console.log(`| ${f.label} | ${fmt(f.f01View, 2)} | ${fmt(f.f01View / f.f01Hand, 2)}× | ${fmt(f.f01Counted, 2)} | ${fmt(f.f01Counted / f.f01Hand, 2)}× | ${fmt(f.f01Hand, 2)} |`);
  }
  console.log(`\n| database | form (filter: a field present) | district rows | pages of ${fmt(MAX_PULL_PAGE_SIZE)} | district pull, through the service | community first page (100 rows), median |`);
  console.log('|---|---|---|---|---|---|');
  for (const f of figures) {
    for (const x of f.present) console.log(`| ${f.label} | ${x.code} | ${fmt(x.rows)} | ${x.pages} | ${fmt(x.districtMs)} | ${fmt(x.communityMs, 2)} |`);
  }
}
