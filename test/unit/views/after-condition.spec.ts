import Database from 'better-sqlite3';
import { dialectFor, Params } from '../../../src/views/sql-dialect.js';
import { afterCondition, type OrderKey } from '../../../src/views/view-cursor.js';

// A keyset page starts strictly after the cursor row in the form's order. Checked against the order itself: for every
// row of a table with NULLs, ties and both directions, the rows the condition admits are exactly those ORDER BY puts
// after it (as one row value when every key ascends and the cursor has no NULL; as nested comparisons otherwise).
describe('the condition of the rows after a cursor', () => {
  const db = new Database(':memory:');
  const dialect = dialectFor(false);
  beforeAll(() => {
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, day TEXT, n INTEGER NOT NULL, name TEXT)');
    const insert = db.prepare('INSERT INTO t (id, day, n, name) VALUES (?, ?, ?, ?)');
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let id = 1; id <= 300; id++) {
      const day = next() < 0.15 ? null : `2026-0${1 + Math.floor(next() * 3)}-1${Math.floor(next() * 3)}`;
      insert.run(id, day, Math.floor(next() * 4), next() < 0.2 ? null : `n${Math.floor(next() * 5)}`);
    }
  });
  afterAll(() => db.close());

  const key = (expr: string, descending: boolean, nullable: boolean): OrderKey => ({ expr, descending, nullable, type: 'string' });
  const orders: [string, OrderKey[]][] = [
    ['every key ascending (one row value)', [key('day', false, true), key('n', false, false), key('id', false, false)]],
    ['a descending key (nested comparisons)', [key('day', false, true), key('n', true, false), key('id', false, false)]],
    ['a descending nullable key first', [key('name', true, true), key('day', false, true), key('id', false, false)]],
  ];

  it.each(orders)('admits exactly the rows after each row: %s', (_name, keys) => {
    const orderBy = keys.map((k) => dialect.orderTerm(k.expr, k.descending, k.nullable)).join(', ');
    const rows = db.prepare(`SELECT ${keys.map((k, i) => `${k.expr} AS k${i}`).join(', ')} FROM t ORDER BY ${orderBy}`).all() as Record<string, unknown>[];
    const ids = rows.map((r) => r[`k${keys.length - 1}`]);
    rows.forEach((row, at) => {
      const params = new Params(dialect);
      const condition = afterCondition(keys, keys.map((_, i) => row[`k${i}`]), params);
      const after = db.prepare(`SELECT id FROM t WHERE ${condition} ORDER BY ${orderBy}`).pluck().all(...params.values);
      expect(after).toEqual(ids.slice(at + 1));
    });
  });
});
