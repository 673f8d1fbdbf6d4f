import pg from 'pg';
import { systemViewer } from '../src/access/viewer.js';
import { resolvePeriod, ViewsService } from '../src/views/views.service.js';
import { birthKeyYearsBefore } from '../src/views/view-sql.js';
import { todayIso } from '../src/identity/index.js';
import { benchWants, fmt } from './bench-support.js';
import { benchResidents, keptDistrict, keptPostgres } from './kept-district.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 60);

/** p50 and p99 of repeated timings, in ms, after a few warm-up runs. */
async function measure(work: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 5; i++) await work();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    await work();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)];
  return { p50: at(0.5), p99: at(0.99) };
}

/**
 * Views on PostgreSQL with a million residents: the first 100-row page of F01 for a community and for a district,
 * and F09 for a street, each against a hand-written query returning the same rows.
 */
export async function runViewsBench(): Promise<void> {
  if (!benchWants('PostgreSQL')) {
    console.log('bench/views 只测 PostgreSQL：BENCH_DATABASES 未选 PostgreSQL，跳过');
    return;
  }
  const RESIDENTS = benchResidents();
  const db = keptPostgres();
  try {
    const { app } = await keptDistrict('PostgreSQL', RESIDENTS, db);
    const views = app.get(ViewsService);
    // A department pulling its form: ID and phone numbers masked, so no reveal is written to the audit log per page.
    const viewer = { ...systemViewer('bench'), fullValues: false };
    const community = '500106108001';
    const district = '500106000000';
    const street = '500106108000';
    const today = todayIso();
    const pool = new pg.Pool({ connectionString: db.url, max: 4 });

    // The same rows, then their latest visits. `deferred`: find the page's ids first, as the view does.
    const handF01 = async (prefix: string, deferred: boolean) => {
      const filter = `e.grid_code >= $1 AND e.grid_code < $2 AND e.living_arrangement = '1' AND substr(e.id_number, 7, 8) <= $3`;
      const order = 'c.sort_order, c.code, g.sort_order, g.code, substr(e.id_number, 7, 8), e.id';
      const joins = 'JOIN org_units g ON g.code = e.grid_code JOIN org_units c ON c.code = g.parent_code';
      const where = deferred ? `e.id IN (SELECT e.id FROM residents e ${joins} WHERE ${filter} ORDER BY ${order} LIMIT 100)` : filter;
      const page = await pool.query(
        `SELECT e.id, e.name, e.id_number, e.phone, h.current_address, e.health_status, e.emergency_contact_name, e.emergency_contact_relation,
                e.emergency_contact_phone, e.old_age_allowance, e.minimum_living_allowance, e.extreme_poverty_support, g.name AS grid, e.remarks
           FROM residents e LEFT JOIN households h ON h.id = e.household_id ${joins}
          WHERE ${where} ORDER BY ${order} LIMIT 100`,
        [prefix, `${prefix}:`, birthKeyYearsBefore(today, 60)],
      );
      await pool.query('SELECT resident_id, MAX(visit_date) FROM visits WHERE resident_id = ANY($1) GROUP BY resident_id', [page.rows.map((r) => r.id)]);
      return page;
    };
    const month = today.slice(0, 7);
    const monthEnd = resolvePeriod(views.template('F04'), month).period.to;
    const handF09 = () =>
      pool.query(
        `SELECT c.code, c.name,
                (SELECT COUNT(*) FROM org_units x WHERE x.parent_code = c.code) AS grids,
                (SELECT COUNT(*) FROM households h JOIN org_units hg ON hg.code = h.grid_code WHERE hg.parent_code = c.code
                    AND EXISTS (SELECT 1 FROM residents y WHERE y.household_id = h.id)) AS households,
                COUNT(e.id) AS residents,
                SUM(CASE WHEN substr(e.id_number, 7, 8) <= $2 THEN 1 ELSE 0 END) AS aged60,
                SUM(CASE WHEN e.living_arrangement = '1' AND substr(e.id_number, 7, 8) <= $2 THEN 1 ELSE 0 END) AS alone,
                SUM(CASE WHEN e.marital_status IN ('10', '30', '40') AND e.children_count = 0 AND substr(e.id_number, 7, 8) <= $2 THEN 1 ELSE 0 END) AS without_family,
                SUM(CASE WHEN e.prone_to_wandering THEN 1 ELSE 0 END) AS wandering,
                SUM(CASE WHEN e.disability_category IS NOT NULL THEN 1 ELSE 0 END) AS disabled,
                SUM(CASE WHEN e.enlistment_date IS NOT NULL THEN 1 ELSE 0 END) AS veterans,
                SUM(CASE WHEN e.registration_type = '2' THEN 1 ELSE 0 END) AS floating,
                (SELECT COUNT(*) FROM visits v JOIN residents vr ON vr.id = v.resident_id JOIN org_units vg ON vg.code = vr.grid_code
                  WHERE vg.parent_code = c.code AND v.visit_date BETWEEN $3 AND $4) AS visits
           FROM org_units c JOIN org_units g ON g.parent_code = c.code JOIN residents e ON e.grid_code = g.code
          WHERE c.parent_code = $1 GROUP BY c.code, c.name, c.sort_order ORDER BY c.sort_order`,
        [street, birthKeyYearsBefore(today, 60), `${month}-01`, monthEnd],
      );

    const cases: [string, () => Promise<unknown>, () => Promise<unknown>][] = [
      ['F01 first page, one community (vs plain query)', () => views.formView(viewer, { code: 'F01', orgUnit: community, first: 100 }), () => handF01(community, false)],
      ['F01 first page, one community (vs deferred join)', () => views.formView(viewer, { code: 'F01', orgUnit: community, first: 100 }), () => handF01(community, true)],
      ['F01 first page, whole district (vs plain query)', () => views.formView(viewer, { code: 'F01', orgUnit: district, first: 100 }), () => handF01(district.slice(0, 6), false)],
      ['F01 first page, whole district (vs deferred join)', () => views.formView(viewer, { code: 'F01', orgUnit: district, first: 100 }), () => handF01(district.slice(0, 6), true)],
      ['F09, one street', () => views.formView(viewer, { code: 'F09', orgUnit: street }), handF09],
    ];
    const lines: string[] = [];
    for (const [label, view, hand] of cases) {
      const a = await measure(view);
      const b = await measure(hand);
      lines.push(`| ${label} | ${fmt(a.p50, 1)} | ${fmt(a.p99, 1)} | ${fmt(b.p50, 1)} | ${fmt(b.p99, 1)} | ${fmt(a.p50 / b.p50, 2)} |`);
    }
    await pool.end();
    await app.close();
    console.log(`\nbench/views: PostgreSQL, ${fmt(RESIDENTS)} residents, ${RUNS} runs each (ms)\n`);
    console.log('| case | view p50 | view p99 | hand-written p50 | hand-written p99 | p50 ratio |');
    console.log('|---|---|---|---|---|---|');
    for (const line of lines) console.log(line);
  } finally {
    db.stop();
  }
}
