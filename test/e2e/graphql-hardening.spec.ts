import request from 'supertest';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

const COMMUNITY = '500106108001';
const GRID = `${COMMUNITY}001`;
const SCHEMA = '{ __schema { queryType { name } } }';

// Issue 13, point 4: the GraphQL limits an attack run found missing (aliases, query size, page sizes, suggestions,
// anonymous introspection).
describe(`GraphQL hardening (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seedDemo: true, env: { GRAPHQL_INTROSPECTION: 'true' } });
  });
  afterAll(() => t.close());
  const post = (body: object, headers: Record<string, string> = t.auth) => request(t.app.getHttpServer()).post('/graphql').set(headers).send(body);
  const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: me { id }`).join(' ')} }`;

  it('accepts 30 aliased fields and refuses 31, before running anything', async () => {
    const ok = (await post({ query: aliases(30) })).body;
    expect(ok.errors).toBeUndefined();
    expect(Object.keys(ok.data)).toHaveLength(30);
    const refused = (await post({ query: aliases(31) })).body;
    expect(refused.data).toBeUndefined();
    expect(refused.errors[0].extensions.code).toBe('QUERY_TOO_MANY_ALIASES');
    expect(refused.errors[0].message).toMatch(/31 个别名/);
    // Through a fragment spread twice, each spread's aliases count.
    const spread = `{ ...f ...f } fragment f on Query { ${Array.from({ length: 16 }, (_, i) => `b${i}: me { id }`).join(' ')} }`;
    expect((await post({ query: spread })).body.errors[0].extensions.code).toBe('QUERY_TOO_MANY_ALIASES');
  });

  it('refuses a query text over 20 KB, even one that is mostly a comment, before parsing it', async () => {
    const long = `{ me { id ${'displayName '.repeat(1_900)} } }`;
    expect(Buffer.byteLength(long)).toBeGreaterThan(21 * 1024);
    const started = Date.now();
    const refused = await post({ query: long });
    expect(refused.body.data).toBeUndefined();
    expect(refused.body.errors[0].extensions.code).toBe('QUERY_TOO_LARGE');
    expect(refused.body.errors[0].message).toMatch(/KB/);
    const comment = await post({ query: `# ${'x'.repeat(900 * 1024)}\n{ me { id } }` });
    expect(comment.body.errors[0].extensions.code).toBe('QUERY_TOO_LARGE');
    expect(Date.now() - started).toBeLessThan(2_000);
    // Anonymous callers meet the same limit (it comes before the login check of any resolver).
    expect((await post({ query: long }, {})).body.errors[0].extensions.code).toBe('QUERY_TOO_LARGE');
  });

  it('refuses a query of more than 2,000 tokens, short as its text may be', async () => {
    const query = `{ me { ${'id '.repeat(2_100)} } }`;
    expect(query.length).toBeLessThan(20 * 1024);
    const res = (await post({ query })).body;
    expect(res.data).toBeUndefined();
    expect(res.errors[0].extensions.code).toBe('QUERY_TOO_LARGE');
    expect(res.errors[0].message).toMatch(/2000 个词法单元/);
    // 1,840 tokens (8 a field) in 230 fields: accepted.
    const fine = (await post({ query: `{ me { ${'id @include(if: true) '.repeat(230)} } }` })).body;
    expect(fine.errors).toBeUndefined();
    expect(fine.data.me.id).toBeDefined();
  });

  // Paged queries answer up to 500 rows a page; a department's pulls of rows as arrays (formView, formChanges) up to
  // 2,000 (the typed form queries' rows are objects of many fields: 500).
  const paged = (first: number) => [
    { max: 2000, query: `{ formView(code: "F01", orgUnit: "${COMMUNITY}", first: ${first}) { totalCount } }` },
    { max: 500, query: `{ elderlyLivingAlone(orgUnit: "${COMMUNITY}", first: ${first}) { totalCount } }` },
    { max: 2000, query: `{ formChanges(code: "F01", orgUnit: "${COMMUNITY}", first: ${first}) { pageInfo { hasNextPage } } }` },
    { max: 500, query: `{ auditLog(first: ${first}) { id } }` },
    { max: 500, query: `{ households(gridCode: "${GRID}", first: ${first}) { id } }` },
  ];

  it.each([0, -1, 99_999_999])('refuses first: %d on every paged query instead of clamping it', async (first) => {
    for (const { max, query } of paged(first)) {
      const res = (await post({ query })).body;
      expect([query, res.errors?.[0]?.extensions?.code]).toEqual([query, 'VALIDATION_FAILED']);
      expect(res.errors[0].extensions.fieldErrors).toEqual([{ path: ['first'], code: 'OUT_OF_RANGE', message: expect.stringContaining(`1 到 ${max} 之间`) }]);
    }
    // As a variable too (the cost estimate cannot see it; the resolver does).
    const res = (await post({ query: `query ($n: Int) { formView(code: "F01", orgUnit: "${COMMUNITY}", first: $n) { totalCount } }`, variables: { n: first } })).body;
    expect(res.errors[0].extensions.fieldErrors[0].code).toBe('OUT_OF_RANGE');
  });

  it('refuses one row over the largest page of each query and answers that page', async () => {
    for (const { max, query } of paged(0)) {
      const over = (await post({ query: query.replace('first: 0', `first: ${max + 1}`) })).body;
      expect([query, over.errors?.[0]?.extensions?.fieldErrors]).toEqual([query, [{ path: ['first'], code: 'OUT_OF_RANGE', message: `每页行数（first）须在 1 到 ${max} 之间，收到 ${max + 1}` }]]);
      const full = (await post({ query: query.replace('first: 0', `first: ${max}`) })).body;
      expect([query, full.errors]).toEqual([query, undefined]);
    }
    // A variable page is weighed as the query's largest: a pull of 2,000 rows with the columns a client reads is not "too costly".
    const pull = `query ($n: Int, $a: String) { formView(code: "F01", orgUnit: "${COMMUNITY}", first: $n, after: $a) { title totalCount serverTime columns { key header } rows keys removedKeys pageInfo { hasNextPage endCursor } } }`;
    const res = (await post({ query: pull, variables: { n: 2000 } })).body;
    expect(res.errors).toBeUndefined();
    expect(res.data.formView.pageInfo.hasNextPage).toBe(false);
    expect(res.data.formView.rows.length).toBeGreaterThan(0);
  });

  it('accepts first: 1 and first: 500', async () => {
    for (const first of [1, 500]) {
      const res = (await post({ query: `{ elderlyLivingAlone(orgUnit: "${COMMUNITY}", first: ${first}) { totalCount } auditLog(first: ${first}) { id } }` })).body;
      expect(res.errors).toBeUndefined();
      expect(res.data.auditLog.length).toBeLessThanOrEqual(first);
    }
  });

  it('never suggests field names in its errors', async () => {
    const res = (await post({ query: '{ residnt(idNumber: "1") { name } }' })).body;
    expect(res.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors[0].message).toMatch(/residnt/);
    expect(JSON.stringify(res)).not.toMatch(/Did you mean|"resident"/);
    const anonymous = (await post({ query: '{ residnt(idNumber: "1") { name } }' }, {})).body;
    expect(JSON.stringify(anonymous)).not.toMatch(/Did you mean/);
  });

  it('answers introspection only to a logged-in account', async () => {
    const anonymous = (await post({ query: SCHEMA }, {})).body;
    expect(anonymous.data).toBeUndefined();
    expect(anonymous.errors[0].extensions.code).toBe('INTROSPECTION_DISABLED');
    expect((await post({ query: '{ __type(name: "Query") { name } }' }, {})).body.errors[0].extensions.code).toBe('INTROSPECTION_DISABLED');
    // Hidden in a fragment, the same.
    expect((await post({ query: '{ ...f } fragment f on Query { __schema { queryType { name } } }' }, {})).body.errors[0].extensions.code).toBe('INTROSPECTION_DISABLED');
    expect((await post({ query: SCHEMA })).body.data.__schema.queryType.name).toBe('Query');
    // __typename is no introspection.
    expect((await post({ query: '{ __typename }' }, {})).body.data.__typename).toBe('Query');
  });

  it('refuses introspection to everyone when GRAPHQL_INTROSPECTION is off, without suggestions either', async () => {
    const closed = await createTestApp({ env: { GRAPHQL_INTROSPECTION: 'false' } });
    try {
      const post = (body: object, headers: Record<string, string>) => request(closed.app.getHttpServer()).post('/graphql').set(headers).send(body);
      for (const headers of [closed.auth, {}]) {
        const res = (await post({ query: SCHEMA }, headers)).body;
        expect(res.data).toBeUndefined();
        expect(res.errors[0].extensions.code).toBe('INTROSPECTION_DISABLED');
      }
      const typo = (await post({ query: '{ residnt(idNumber: "1") { name } }' }, closed.auth)).body;
      expect(JSON.stringify(typo)).not.toMatch(/Did you mean|"resident"/);
    } finally {
      await closed.close();
    }
  });
});
