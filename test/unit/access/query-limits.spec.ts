import { buildSchema, parse, validate } from 'graphql';
import { queryLimitsRule, type QueryLimits } from '../../../src/access/query-limits.js';

// The cost estimate weighs a query's rows by its page size. A schema of a page object (one title, a list of rows), a
// paged list and a pull whose largest page is its own (extensions.maxPage); the limit is set so that each expected
// cost is the largest accepted: one more unit is refused.
describe('the query cost estimate', () => {
  const schema = buildSchema(`
    type Row { a: String b: String c: String }
    type PageInfo { hasNextPage: Boolean endCursor: String }
    type Page { title: String rows: [Row!]! keys: [String!]! pageInfo: PageInfo }
    type Query { page(first: Int): Page list(first: Int): [Row!]! pull(first: Int): Page one: Row }
  `);
  schema.getQueryType()!.getFields().pull.extensions = { maxPage: 2000 };
  const limits = (maxCost: number): QueryLimits => ({ maxDepth: 6, maxFields: 500, maxCost, maxPage: 500, maxAliases: 30, maxBytes: 20_000, maxTokens: 2_000 });
  const costly = (query: string, maxCost: number) => validate(schema, parse(query), [queryLimitsRule(limits(maxCost))]).map((e) => e.extensions.limit);
  /** The query is accepted at `cost` and refused at one less. */
  const weighs = (query: string, cost: number) => {
    expect([query, costly(query, cost)]).toEqual([query, []]);
    expect([query, costly(query, cost - 1)]).toEqual([query, ['QUERY_TOO_COSTLY']]);
  };

  it('multiplies a page object\'s rows by the page, not its title or pageInfo', () => {
    // page 1 + title 1 + pageInfo (1 + 2) + 10 rows of (1 + 3) + 10 keys.
    weighs('{ page(first: 10) { title pageInfo { hasNextPage endCursor } rows { a b c } keys } }', 1 + 1 + 3 + 10 * 4 + 10);
  });

  it('multiplies a paged list\'s whole selection', () => {
    weighs('{ list(first: 10) { a b } }', 1 + 10 * 2);
  });

  it('weighs a variable page as the largest: the field\'s own, else the common one', () => {
    weighs('query ($n: Int) { pull(first: $n) { rows { a } } }', 1 + 2000 * 2);
    weighs('query ($n: Int) { page(first: $n) { rows { a } } }', 1 + 500 * 2);
    // A literal page over the largest counts as the largest (the resolver refuses it).
    weighs('{ page(first: 100000) { keys } }', 1 + 500);
  });

  it('counts fields without a page once, through fragments too', () => {
    weighs('{ one { a b } ...F } fragment F on Query { page(first: 3) { ...R } } fragment R on Page { rows { a } }', 3 + 1 + 3 * 2);
  });
});
