import ExcelJS from 'exceljs';
import request from 'supertest';
import { COMMUNITY, DISTRICT, GRID, idNumber, insertOrgFixture, OTHER_COMMUNITY, OTHER_GRID, STREET } from '../support/fixtures.js';
import { binary } from '../support/http.js';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

const UPSERT = `mutation ($input: UpsertResidentInput!) { upsertResident(input: $input) { id version } }`;
const REPORT_FIELDS = 'id code orgUnitCode period status statusName submittedBy submittedAt reviewedBy reviewedAt returnReason rowCount sha256 dueDate onTime overdue';
const REPORTS = `query ($orgUnit: String!, $period: String!) { reports(orgUnit: $orgUnit, period: $period) { ${REPORT_FIELDS} } }`;
const SUBMIT = `mutation ($code: String!, $orgUnit: String!, $period: String!) { submitReport(code: $code, orgUnit: $orgUnit, period: $period) { ${REPORT_FIELDS} } }`;
const APPROVE = `mutation ($id: Int!) { approveReport(id: $id) { ${REPORT_FIELDS} } }`;
const RETURN = `mutation ($id: Int!, $reason: String!) { returnReport(id: $id, reason: $reason) { ${REPORT_FIELDS} } }`;
const REOPEN = `mutation ($id: Int!, $reason: String!) { reopenReport(id: $id, reason: $reason) { ${REPORT_FIELDS} } }`;
const FORM_VIEW = `query ($code: String!, $orgUnit: String!, $period: String) { formView(code: $code, orgUnit: $orgUnit, period: $period, first: 500) {
  totalCount rows keys columns { key } report { id status reviewedBy submittedBy sha256 rowCount } } }`;

/** Last month as yyyy-mm: a period that has started (and ended), whatever day the test runs. */
function lastMonth(): string {
  const d = new Date();
  d.setDate(1);
  d.setMonth(d.getMonth() - 1);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}

const today = () => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

/**
 * A month of the reporting cycle, end to end: residents change; a community submits F01; the street returns it
 * with a reason; the community fixes and resubmits; the street approves; the street's summary is refused until
 * every community report it counts is approved, then submitted and approved by the district; a department reads
 * the frozen rows through GraphQL and the export, unchanged after a later ledger edit, which changedSince counts;
 * completeness matches the states.
 */
describe(`reporting cycle (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  const period = lastMonth();
  type Gql = TestApp['gql'];
  let community: Gql, otherCommunity: Gql, street: Gql, minzheng: Gql, district: Gql;
  let minzhengAuth: { Authorization: string };

  beforeAll(async () => {
    t = await createTestApp();
    await insertOrgFixture(t.dataSource);
    community = (await t.as({ username: 'qiaobei', displayName: '王芳', role: 'community_staff', orgUnitCode: COMMUNITY })).gql;
    otherCommunity = (await t.as({ username: 'ceshi', displayName: '赵丽', role: 'community_staff', orgUnitCode: OTHER_COMMUNITY })).gql;
    street = (await t.as({ username: 'jiedao', displayName: '陈主任', role: 'street_office', orgUnitCode: STREET })).gql;
    const mz = await t.as({ username: 'minzheng', displayName: '区民政局', role: 'department', department: '区民政局', orgUnitCode: DISTRICT });
    minzheng = mz.gql;
    minzhengAuth = mz.auth;
    district = (await t.as({ username: 'wanggehua', displayName: '区网格中心', role: 'department', department: '区网格化服务管理中心', orgUnitCode: DISTRICT })).gql;
    for (const [i, grid] of [[1, GRID], [2, GRID], [3, GRID], [4, OTHER_GRID]] as const) {
      const res = await t.gql(UPSERT, { input: { idNumber: idNumber('500106', `194${i}0315`, 11 + i), gridCode: grid, name: `老人${i}`, currentAddress: `桥北路${i}号`, livingArrangement: '1' } });
      expect(res.errors).toBeUndefined();
    }
  });
  afterAll(() => t.close());

  async function ok<T = any>(gql: Gql, query: string, variables: Record<string, unknown>): Promise<T> {
    const res = await gql(query, variables);
    expect(res.errors).toBeUndefined();
    return res.data;
  }
  const code = (res: { errors?: any[] }) => res.errors?.[0]?.extensions?.code;

  it('walks a month: submit, return, resubmit, approve, the street summary, the department, completeness', async () => {
    // The community sees its forms as 待报.
    const before = (await ok(community, REPORTS, { orgUnit: COMMUNITY, period })).reports;
    const f01Slot = before.find((r: any) => r.code === 'F01');
    expect(f01Slot).toMatchObject({ id: null, status: 'pending', statusName: '待报', orgUnitCode: COMMUNITY, period });
    expect(before.find((r: any) => r.code === 'F05').period).toMatch(/^\d{4}-Q[1-4]$/); // quarterly forms: the month's quarter
    expect(before.some((r: any) => r.code === 'F09')).toBe(false); // a street's summary is not the community's to fill

    // Submit: the rows are frozen.
    const submitted = (await ok(community, SUBMIT, { code: 'F01', orgUnit: COMMUNITY, period })).submitReport;
    expect(submitted).toMatchObject({ status: 'submitted', rowCount: 3, submittedBy: '王芳' });
    expect(submitted.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(code(await community(SUBMIT, { code: 'F01', orgUnit: COMMUNITY, period }))).toBe('ALREADY_SUBMITTED');
    // Only the reviewing level reviews; only the filling level submits.
    expect(code(await community(APPROVE, { id: submitted.id }))).toBe('FORBIDDEN');
    expect(code(await minzheng(APPROVE, { id: submitted.id }))).toBe('FORBIDDEN');
    expect(code(await street(SUBMIT, { code: 'F01', orgUnit: COMMUNITY, period }))).toBe('FORBIDDEN');
    expect(code(await otherCommunity(APPROVE, { id: submitted.id }))).toBe('FORBIDDEN');

    // The street returns it with a reason; a reason is required.
    expect(code(await street(RETURN, { id: submitted.id, reason: '  ' }))).toBe('VALIDATION_FAILED');
    const returned = (await ok(street, RETURN, { id: submitted.id, reason: '老人3缺少联系电话' })).returnReport;
    expect(returned).toMatchObject({ status: 'returned', returnReason: '老人3缺少联系电话', reviewedBy: '陈主任' });
    expect(code(await street(APPROVE, { id: submitted.id }))).toBe('REPORT_NOT_SUBMITTED');

    // The community fixes the ledger and resubmits: a new snapshot.
    const [row] = await t.dataSource.query(`SELECT version FROM residents WHERE id_number = '${idNumber('500106', '19430315', 14)}'`);
    await ok(community, UPSERT, { input: { idNumber: idNumber('500106', '19430315', 14), expectedVersion: row.version, phone: '13912345678' } });
    const resubmitted = (await ok(community, SUBMIT, { code: 'F01', orgUnit: COMMUNITY, period })).submitReport;
    expect(resubmitted).toMatchObject({ id: submitted.id, status: 'submitted', returnReason: null, reviewedBy: null });
    expect(resubmitted.sha256).not.toBe(submitted.sha256);

    // Approved: locked.
    const approved = (await ok(street, APPROVE, { id: submitted.id })).approveReport;
    expect(approved).toMatchObject({ status: 'approved', reviewedBy: '陈主任' });
    expect(code(await community(SUBMIT, { code: 'F01', orgUnit: COMMUNITY, period }))).toBe('REPORT_LOCKED');

    // The street's summary waits for every community report it counts (same frequency) to be approved.
    const refused = await street(SUBMIT, { code: 'F09', orgUnit: STREET, period });
    expect(code(refused)).toBe('COMMUNITY_REPORTS_NOT_APPROVED');
    const missing = refused.errors[0].extensions.missing as { code: string; orgUnitCode: string }[];
    expect(missing).toContainEqual(expect.objectContaining({ code: 'F01', orgUnitCode: OTHER_COMMUNITY }));
    expect(missing).not.toContainEqual(expect.objectContaining({ code: 'F01', orgUnitCode: COMMUNITY }));
    expect(missing.some((m) => m.code === 'F05')).toBe(false); // quarterly: not part of a monthly summary
    for (const m of missing) {
      const filler = m.orgUnitCode === COMMUNITY ? community : otherCommunity;
      const r = (await ok(filler, SUBMIT, { code: m.code, orgUnit: m.orgUnitCode, period })).submitReport;
      await ok(street, APPROVE, { id: r.id });
    }
    const summary = (await ok(street, SUBMIT, { code: 'F09', orgUnit: STREET, period })).submitReport;
    expect(summary).toMatchObject({ status: 'submitted', orgUnitCode: STREET });
    expect(code(await street(APPROVE, { id: summary.id }))).toBe('FORBIDDEN'); // a street does not approve itself
    expect((await ok(district, APPROVE, { id: summary.id })).approveReport.status).toBe('approved');

    // The department reads the frozen rows (masked as a department sees them), and says who approved them.
    const frozen = (await ok(minzheng, FORM_VIEW, { code: 'F01', orgUnit: COMMUNITY, period })).formView;
    expect(frozen.report).toMatchObject({ id: submitted.id, status: 'approved', reviewedBy: '陈主任', submittedBy: '王芳', rowCount: 3, sha256: resubmitted.sha256 });
    expect(frozen.totalCount).toBe(3);
    const names = (view: { rows: unknown[][] }) => view.rows.map((r) => r[frozen.columns.findIndex((c: any) => c.key === 'name')]);
    const idAt = frozen.columns.findIndex((c: any) => c.key === 'idNumber');
    expect(frozen.rows.every((r: any[]) => /^\d{6}\*{8}\d{3}[\dX]$/.test(r[idAt]))).toBe(true);

    // A later edit of the ledger: the report does not move; changedSince counts the edit.
    const [r1] = await t.dataSource.query(`SELECT version FROM residents WHERE id_number = '${idNumber('500106', '19410315', 12)}'`);
    await ok(community, UPSERT, { input: { idNumber: idNumber('500106', '19410315', 12), expectedVersion: r1.version, name: '老人一改' } });
    await ok(community, UPSERT, { input: { idNumber: idNumber('500106', '19450315', 21), gridCode: GRID, name: '新来的老人', currentAddress: '桥北路5号', livingArrangement: '1' } });
    const after = (await ok(minzheng, FORM_VIEW, { code: 'F01', orgUnit: COMMUNITY, period })).formView;
    expect(after.rows).toEqual(frozen.rows);
    expect(after.keys).toEqual(frozen.keys);
    const live = (await ok(minzheng, FORM_VIEW, { code: 'F01', orgUnit: COMMUNITY, period: null })).formView;
    expect(live.report).toBeNull();
    expect(live.totalCount).toBe(4);
    const changes = (await ok(street, `query ($id: Int!) { report(id: $id) { changedSince { entered left changed } } }`, { id: submitted.id })).report.changedSince;
    expect(changes).toEqual({ entered: 1, left: 0, changed: 1 });

    // 老人2 dies today: gone from F01 from the effective date on, still in last month's report and last month's view.
    const deceased = idNumber('500106', '19420315', 13);
    const [r2] = await t.dataSource.query(`SELECT version FROM residents WHERE id_number = '${deceased}'`);
    await ok(community, `mutation ($id: String!, $v: Int!, $d: String!) { deregisterResident(idNumber: $id, reason: "2", effectiveDate: $d, expectedVersion: $v) { id } }`, { id: deceased, v: r2.version, d: today() });
    expect(names((await ok(minzheng, FORM_VIEW, { code: 'F01', orgUnit: COMMUNITY, period })).formView)).toContain('老人2');
    const liveToday = (await ok(minzheng, `query { formView(code: "F01", orgUnit: "${COMMUNITY}", first: 500) { totalCount rows } }`, {})).formView;
    expect(liveToday.totalCount).toBe(3);
    expect(names(liveToday)).not.toContain('老人2');
    expect(names(liveToday)).toContain('新来的老人');

    // The export of the approved report: the frozen rows, 填表人 and 审核人 filled from the workflow.
    const res = await request(t.app.getHttpServer()).get(`/exports/F01?orgUnit=${COMMUNITY}&period=${period}`).set(minzhengAuth).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.body);
    const sheet = book.worksheets[0];
    const texts: string[] = [];
    sheet.eachRow((r) => r.eachCell((c) => texts.push(String(c.value))));
    expect(texts.filter((x) => x === '老人一改')).toHaveLength(0);
    expect(texts.filter((x) => /^老人[123]$/.test(x)).sort()).toEqual(['老人1', '老人2', '老人3']);
    const submittedDay = resubmitted.submittedAt && localDay(resubmitted.submittedAt);
    expect(texts).toContain(`填表人：王芳（${submittedDay}）`);
    expect(texts).toContain(`审核人：陈主任（${localDay(approved.reviewedAt)}）`);

    // The typed query takes the period too, and says which report it read.
    const typed = (await ok(minzheng, `query ($o: String!, $p: String) { elderlyLivingAlone(orgUnit: $o, period: $p) { totalCount rows { name } report { id status } } }`, { o: COMMUNITY, p: period })).elderlyLivingAlone;
    expect(typed).toMatchObject({ totalCount: 3, report: { id: submitted.id, status: 'approved' } });
    expect(typed.rows.map((r: any) => r.name)).toEqual(names(frozen));

    // The street downloads every report of the period at once: one sheet per submitted or approved report.
    const streetAuth = { Authorization: `Bearer ${(await t.login('jiedao', 'test-password-2026')).token}` };
    const all = await request(t.app.getHttpServer()).get(`/exports/all?orgUnit=${STREET}&period=${period}`).set(streetAuth).buffer(true).parse(binary);
    expect(all.status).toBe(200);
    const allBook = new ExcelJS.Workbook();
    await allBook.xlsx.load(all.body);
    const sheetNames = allBook.worksheets.map((w) => w.name);
    expect(sheetNames).toContain('F01桥北社区');
    expect(sheetNames).toContain('F01测试社区');
    expect(sheetNames.some((n) => n.startsWith('F09'))).toBe(true);
    const expectedSheets = (await ok(street, REPORTS, { orgUnit: STREET, period })).reports.filter((r: any) => r.status === 'submitted' || r.status === 'approved');
    expect(sheetNames).toHaveLength(expectedSheets.length);

    // Completeness for the street matches the states.
    const forms = (await ok(street, `query ($o: String!, $p: String!) { reportingCompleteness(orgUnit: $o, period: $p) { code expected submitted approved returned pending overdue onTime units { orgUnitCode status } } }`, { o: STREET, p: period })).reportingCompleteness;
    const f01 = forms.find((f: any) => f.code === 'F01');
    expect(f01).toMatchObject({ expected: 2, approved: 2, submitted: 0, returned: 0, pending: 0, overdue: 0 });
    const dueF01 = before.find((r: any) => r.code === 'F01').dueDate;
    expect(f01.onTime).toBe(today() <= dueF01 ? 2 : 0);
    const f05 = forms.find((f: any) => f.code === 'F05');
    expect(f05).toMatchObject({ expected: 2, approved: 0, pending: 2 });
    expect(f05.overdue).toBe(today() > before.find((r: any) => r.code === 'F05').dueDate ? 2 : 0);
    expect(forms.find((f: any) => f.code === 'F09')).toMatchObject({ expected: 1, approved: 1 });
    const workbook = await request(t.app.getHttpServer()).get(`/reporting/completeness.xlsx?orgUnit=${STREET}&period=${period}`).set(streetAuth).buffer(true).parse(binary);
    expect(workbook.status).toBe(200);
    const completenessBook = new ExcelJS.Workbook();
    await completenessBook.xlsx.load(workbook.body);
    const f01Row = completenessBook.getWorksheet('报送情况')!.getRows(1, 20)!.find((r) => r.getCell(1).value === 'F01')!;
    expect([5, 6, 7, 8, 9].map((c) => f01Row.getCell(c).value)).toEqual([f01.expected, f01.submitted, f01.approved, f01.returned, f01.pending]);

    // The street reopens the approved F01 with a reason: back to the community, which may resubmit.
    const reopened = (await ok(street, REOPEN, { id: submitted.id, reason: '发现一位老人漏报' })).reopenReport;
    expect(reopened).toMatchObject({ status: 'returned', returnReason: '发现一位老人漏报' });
    expect((await ok(minzheng, FORM_VIEW, { code: 'F01', orgUnit: COMMUNITY, period })).formView.report).toBeNull();
    expect((await ok(community, SUBMIT, { code: 'F01', orgUnit: COMMUNITY, period })).submitReport).toMatchObject({ status: 'submitted', rowCount: 4 });

    // Every step is in the audit log.
    const steps = await t.dataSource.query(`SELECT action FROM audit_log WHERE entity = 'report' AND record_id = ${submitted.id} ORDER BY id`);
    expect(steps.map((s: any) => s.action)).toEqual(['report_submit', 'report_return', 'report_submit', 'report_approve', 'report_reopen', 'report_submit']);
    // The submission's line names the frozen content's hash, whole (not scrubbed like a phone number).
    const lines = (await ok(t.gql, `query ($id: Int!) { auditLog(entity: "report", recordId: $id, action: "report_submit") { filter } }`, { id: submitted.id })).auditLog;
    expect(lines.map((l: any) => l.filter.sha256)).toContain(resubmitted.sha256);
  });

  it('refuses periods that are malformed, of the wrong frequency, or not started', async () => {
    expect(code(await community(SUBMIT, { code: 'F01', orgUnit: COMMUNITY, period: '2026-13' }))).toBe('VALIDATION_FAILED');
    expect(code(await community(SUBMIT, { code: 'F01', orgUnit: COMMUNITY, period: '2026-Q1' }))).toBe('VALIDATION_FAILED');
    const next = new Date();
    next.setDate(1);
    next.setMonth(next.getMonth() + 1);
    const future = `${next.getFullYear()}-${String(next.getMonth() + 1).padStart(2, '0')}`;
    expect(code(await community(SUBMIT, { code: 'F01', orgUnit: COMMUNITY, period: future }))).toBe('PERIOD_NOT_STARTED');
    const now = new Date();
    const lastDayOfMonth = new Date(now.getFullYear(), now.getMonth() + 1, 0).getDate();
    const current = (await community(SUBMIT, { code: 'F01', orgUnit: COMMUNITY, period: today().slice(0, 7) }));
    if (now.getDate() < lastDayOfMonth) expect(code(current)).toBe('PERIOD_NOT_ENDED');
    else expect(current.errors).toBeUndefined(); // on the month's last day its report may go in
    expect(code(await community(SUBMIT, { code: 'F01', orgUnit: GRID, period }))).toBe('WRONG_ORG_LEVEL');
    expect(code(await community(SUBMIT, { code: 'F01', orgUnit: OTHER_COMMUNITY, period }))).toBe('NOT_FOUND');
  });
});

/** An instant's day in the server's time zone (the tests run in the same process and zone). */
function localDay(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
