import type { EntityManager } from 'typeorm';

/** Something that runs SQL with PostgreSQL placeholders: a manager, or a pg pool (the replica). */
interface Queryable {
  query(sql: string, params: unknown[]): Promise<unknown>;
}

/**
 * All SQL on replica_marks (PostgreSQL only): per account, a counter bumped in the transaction of each change the
 * account makes. The replica holds the primary's value once it has replayed that transaction: comparing the two
 * says whether the account's own writes are there yet.
 */
export const ReplicaMarks = {
  /** In the caller's transaction, as its last statement (the row lock is then held only until the commit). */
  async bump(manager: EntityManager, accountId: number): Promise<void> {
    await manager.query(
      'INSERT INTO replica_marks (account_id, n) VALUES ($1, 1) ON CONFLICT (account_id) DO UPDATE SET n = replica_marks.n + 1',
      [accountId],
    );
  },

  /** The account's counter on the primary (a manager) or the replica (its pool); 0 when it never wrote. */
  async read(db: Queryable, accountId: number): Promise<number> {
    const result = (await db.query('SELECT n FROM replica_marks WHERE account_id = $1', [accountId])) as { rows?: { n: string }[] } | { n: string }[];
    const rows = Array.isArray(result) ? result : (result.rows ?? []);
    return rows.length ? Number(rows[0].n) : 0;
  },
};
