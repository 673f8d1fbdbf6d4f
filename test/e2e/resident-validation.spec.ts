import { countRows, GRID, idNumber, insertOrgFixture } from '../support/fixtures.js';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

const UPSERT = `mutation Upsert($input: UpsertResidentInput!) { upsertResident(input: $input) { id version } }`;

describe(`upsertResident: bad input is rejected field by field, nothing saved (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  const valid = () => ({ idNumber: idNumber('500106', '19500601', 44), gridCode: GRID, name: '孙丽', currentAddress: '桥北路3号' });
  const snapshot = async () => [await countRows(t.dataSource, 'residents'), await countRows(t.dataSource, 'households')];

  beforeAll(async () => {
    t = await createTestApp();
    await insertOrgFixture(t.dataSource);
  });
  afterAll(() => t.close());

  async function expectRejected(input: Record<string, unknown>, expected: [string, string][]) {
    const before = await snapshot();
    const res = await t.gql(UPSERT, { input });
    expect(res.data).toBeNull();
    expect(res.errors).toHaveLength(1);
    const error = res.errors![0];
    expect(error.extensions.code).toBe('VALIDATION_FAILED');
    expect(error.extensions.stacktrace).toBeUndefined();
    const fieldErrors = error.extensions.fieldErrors as { path: string[]; code: string; message: string }[];
    expect(fieldErrors.map((e) => [e.path.join('.'), e.code])).toEqual(expected);
    for (const e of fieldErrors) expect(e.message).toMatch(/[\u4e00-\u9fff]/);
    expect(await snapshot()).toEqual(before);
    return fieldErrors;
  }

  it.each([
    ['110105194912310021', 'ID_CHECKSUM'],
    ['110105190002290017', 'ID_BIRTH_DATE'],
    ['110105209901010012', 'ID_FUTURE_BIRTH'],
    ['990105194912310023', 'ID_PROVINCE'],
  ])('rejects the ID number %s with %s', async (id, code) => {
    await expectRejected({ ...valid(), idNumber: id }, [['input.idNumber', code]]);
  });

  it('rejects a sex that contradicts the ID number', async () => {
    const [e] = await expectRejected({ ...valid(), gender: '1' }, [['input.gender', 'CONTRADICTS_ID_NUMBER']]);
    expect(e.message).toContain('女');
  });

  it('rejects a birth date that contradicts the ID number', async () => {
    await expectRejected({ ...valid(), birthDate: '1950-06-02' }, [['input.birthDate', 'CONTRADICTS_ID_NUMBER']]);
  });

  it('rejects an unknown code', async () => {
    const [e] = await expectRejected({ ...valid(), ethnicity: '99' }, [['input.ethnicity', 'INVALID_CODE']]);
    expect(e.message).toContain('民族');
  });

  it('rejects a 10,000-character name', async () => {
    await expectRejected({ ...valid(), name: '张'.repeat(10000) }, [['input.name', 'TOO_LONG']]);
  });

  it('rejects a phone made of letters', async () => {
    await expectRejected({ ...valid(), phone: 'abcdefghijk' }, [['input.phone', 'PHONE_FORMAT']]);
  });

  it('reports every bad field of one input at once', async () => {
    await expectRejected(
      { idNumber: '110105194912310021', gridCode: GRID, name: '', currentAddress: '桥北路3号', phone: 'abc', ethnicity: '99', childrenCount: -1, disabilityCategory: '4', registeredOn: '2999-01-01' },
      [
        ['input.idNumber', 'ID_CHECKSUM'],
        ['input.name', 'REQUIRED'],
        ['input.ethnicity', 'INVALID_CODE'],
        ['input.phone', 'PHONE_FORMAT'],
        ['input.registeredOn', 'DATE_IN_FUTURE'],
        ['input.childrenCount', 'OUT_OF_RANGE'],
        ['input.disabilityGrade', 'REQUIRED'],
      ],
    );
  });

  it('applies the rules between fields: care subsidy only for grades 1–2, landlord only for rented homes', async () => {
    await expectRejected(
      { ...valid(), disabilityCategory: '1', disabilityGrade: '3', severeDisabilityCareSubsidy: true, dwellingType: '1', landlordName: '周房东' },
      [
        ['input.landlordName', 'NOT_APPLICABLE'],
        ['input.severeDisabilityCareSubsidy', 'NOT_APPLICABLE'],
      ],
    );
  });

  it('answers a malformed request in Chinese without internals', async () => {
    const res = await t.gql('mutation { upsertResident(input: { childrenCount: "three" }) { id } }');
    expect(res.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors[0].message).toMatch(/^请求不符合接口定义/);
    expect(JSON.stringify(res)).not.toMatch(/stacktrace|at .*\.js|SELECT|INSERT/);
  });

  it('saves the valid input after all', async () => {
    const res = await t.gql(UPSERT, { input: valid() });
    expect(res.errors).toBeUndefined();
    expect(await snapshot()).toEqual([1, 1]);
  });
});
