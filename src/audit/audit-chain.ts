import { createHash } from 'node:crypto';
import { type DatabaseTarget, rowCursor } from '../database/row-cursor.js';

/**
 * The audit log's hash chain, without Nest: the repository seals new rows with it, the migration seals old ones,
 * `npm run audit:verify` and the restore check verify it. Each row's `hash` is SHA-256 over the previous row's hash
 * and a canonical serialisation of the row (the same bytes on SQLite and PostgreSQL), and its `prev_hash` names
 * that previous hash, so a changed, removed or slipped-in row breaks the chain from there on.
 */

/** The `prev_hash` of the first row. */
export const GENESIS_HASH = '0'.repeat(64);

/** Key of the PostgreSQL advisory lock that serialises appends (taken by the repository and the insert trigger). */
export const AUDIT_CHAIN_LOCK = 7263110501;

/** The stored columns a row's hash covers, in this order. */
export const CHAINED_COLUMNS = ['id', 'at', 'account_id', 'username', 'role', 'source', 'request_id', 'action', 'entity', 'record_id', 'changes', 'filter', 'row_count'] as const;

export type ChainedRow = Record<(typeof CHAINED_COLUMNS)[number], unknown>;

const int = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const text = (v: unknown) => (v === null || v === undefined ? null : String(v));

/** An instant as ISO text with milliseconds: a Date from PostgreSQL and ISO text from SQLite read the same. */
export function canonicalInstant(v: unknown): string {
  const d = v instanceof Date ? v : new Date(String(v));
  if (Number.isNaN(d.getTime())) throw new Error(`审计日志的时间无法解析：${String(v)}`);
  return d.toISOString();
}

/** The row's content as the hash sees it: numbers as numbers, text as stored (JSON columns not re-parsed). */
export function canonicalAuditRow(row: ChainedRow): string {
  return JSON.stringify([
    int(row.id), canonicalInstant(row.at), int(row.account_id), text(row.username), text(row.role), text(row.source),
    text(row.request_id), text(row.action), text(row.entity), int(row.record_id), text(row.changes), text(row.filter), int(row.row_count),
  ]);
}

export function chainHash(prevHash: string, row: ChainedRow): string {
  return createHash('sha256').update(`${prevHash}\n${canonicalAuditRow(row)}`).digest('hex');
}

/** Why a row breaks the chain: stable codes, and the Chinese sentence a person reads. */
export type ChainBreak = 'CONTENT_CHANGED' | 'ROW_MISSING' | 'LINK_BROKEN';

export interface AuditChainResult {
  ok: boolean;
  rows: number;
  /** The first row that breaks the chain, or null. */
  firstBroken: { id: number; reason: string; code: ChainBreak } | null;
  /** The last row's id and hash: note them elsewhere to notice later rows cut off the end. */
  head: { id: number; hash: string } | null;
}

const SELECT_CHAIN = `SELECT ${CHAINED_COLUMNS.join(', ')}, prev_hash, hash FROM audit_log ORDER BY id`;

/**
 * Walks the whole log in id order on a connection of its own (a consistent snapshot on PostgreSQL) and stops at the
 * first row that breaks the chain. `onProgress(done, total)` is called every batch.
 */
export async function verifyAuditChain(db: DatabaseTarget, onProgress?: (done: number, total: number) => void): Promise<AuditChainResult> {
  let total = 0;
  for await (const [row] of rowCursor(db, 'SELECT count(*) AS n FROM audit_log', [])) total = Number(row.n);
  let rows = 0;
  let prev: { id: number; hash: string } | null = null;
  const broken = (id: number, code: ChainBreak, reason: string): AuditChainResult => ({ ok: false, rows, firstBroken: { id, reason, code }, head: prev });
  for await (const batch of rowCursor(db, SELECT_CHAIN, [])) {
    for (const row of batch) {
      const id = Number(row.id);
      const stored = text(row.hash);
      const prevHash = text(row.prev_hash);
      rows++;
      if (!stored || !prevHash || stored !== chainHash(prevHash, row as ChainedRow)) {
        return broken(id, 'CONTENT_CHANGED', `第 ${id} 条的内容与其哈希不符：内容被改动`);
      }
      const expected = prev?.hash ?? GENESIS_HASH;
      if (prevHash !== expected) {
        // Ids only grow (gaps are rolled-back appends on PostgreSQL): a gap before a broken link is a removed row.
        const gap = prev ? id > prev.id + 1 : true;
        return gap
          ? broken(id, 'ROW_MISSING', prev ? `第 ${id} 条之前缺少记录：第 ${prev.id} 条与第 ${id} 条之间的记录被删除` : `第 ${id} 条之前缺少记录：日志开头的记录被删除`)
          : broken(id, 'LINK_BROKEN', `第 ${id} 条与上一条（第 ${prev!.id} 条）的链接断开：记录被插入、替换或重排`);
      }
      prev = { id, hash: stored };
    }
    onProgress?.(rows, total);
  }
  return { ok: true, rows, firstBroken: null, head: prev };
}

/** The stored hash of one row, or null when there is no such row: to check a head noted down earlier. */
export async function auditRowHash(db: DatabaseTarget, id: number): Promise<string | null> {
  let hash: string | null = null;
  for await (const [row] of rowCursor(db, `SELECT hash FROM audit_log WHERE id = ${db.kind === 'postgres' ? '$1' : '?'}`, [id])) hash = text(row.hash);
  return hash;
}
