import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CodeRange } from '../access/access-policy.js';
import { UnitOfWork } from '../database/unit-of-work.js';
import { Params, type SqlDialect, dialectFor } from './sql-dialect.js';

/** What a grid's cached counts are counts of: the form, its definitions, the day and the period. */
export interface SummaryKey {
  formCode: string;
  definitionHash: string;
  referenceDate: string;
  period: { from: string; to: string };
}

/** A grid of the scope with its version now and, when there is one, the counts cached for the key. */
export interface GridState {
  gridCode: string;
  parentCode: string | null;
  version: number;
  /** Null when nothing is cached for the key, or what is cached was counted at another version. */
  counts: Record<string, number> | null;
}

/** Cached rows are kept this many days after they were stored (other reference dates, old definitions). */
const KEEP_DAYS = 7;

/**
 * Per-grid counts of summary forms (table summary_counts) and the grid versions they are checked against
 * (grid_versions, bumped by triggers in every writing transaction: migrations/1766100000000-grid-versions.ts).
 */
@Injectable()
export class SummaryCountsRepository {
  private readonly logger = new Logger('SummaryCounts');
  private readonly dialect: SqlDialect;

  constructor(
    dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
  ) {
    this.dialect = dialectFor(dataSource.options.type === 'postgres');
  }

  /** The grids of a range, in code order, with their version and cached counts (one query, where the caller reads). */
  async grids(ds: DataSource, key: SummaryKey, range: CodeRange): Promise<GridState[]> {
    const p = new Params(this.dialect);
    const rows: { grid_code: string; parent_code: string | null; version: number | string; cached_version: number | string | null; counts: string | null }[] = await ds.query(
      `SELECT g.code AS grid_code, g.parent_code, COALESCE(v.version, 0) AS version, s.version AS cached_version, s.counts
       FROM org_units g
       LEFT JOIN grid_versions v ON v.grid_code = g.code
       LEFT JOIN summary_counts s ON s.form_code = ${p.add(key.formCode)} AND s.grid_code = g.code AND s.definition_hash = ${p.add(key.definitionHash)}
         AND s.reference_date = ${p.add(key.referenceDate)} AND s.period_from = ${p.add(key.period.from)} AND s.period_to = ${p.add(key.period.to)}
       WHERE g.level = 'grid' AND g.code >= ${p.add(range.from)} AND g.code < ${p.add(range.to)}
       ORDER BY g.code`,
      p.values,
    );
    return rows.map((r) => {
      const version = Number(r.version);
      const current = r.cached_version !== null && Number(r.cached_version) === version && r.counts !== null;
      return { gridCode: r.grid_code, parentCode: r.parent_code, version, counts: current ? (JSON.parse(r.counts!) as Record<string, number>) : null };
    });
  }

  /**
   * Stores grids' counts with the version read before counting (a write racing the count leaves a version that no
   * longer matches: the next read counts again). Always on the primary, in a transaction of its own; a failure is
   * logged and the read it serves goes on. Rows stored more than a week ago, or of another definition of the form,
   * go at the same time.
   */
  async store(key: SummaryKey, grids: { gridCode: string; version: number; counts: Record<string, number> }[]): Promise<void> {
    // Inside another transaction (a report's capture) there is nowhere to write: the next read stores them.
    if (!grids.length || this.unitOfWork.inTransaction) return;
    const today = new Date().toISOString().slice(0, 10);
    const keepFrom = new Date(Date.now() - KEEP_DAYS * 86_400_000).toISOString().slice(0, 10);
    try {
      await this.unitOfWork.run(async (m) => {
        const prune = new Params(this.dialect);
        await m.query(
          `DELETE FROM summary_counts WHERE stored_on < ${prune.add(keepFrom)} OR (form_code = ${prune.add(key.formCode)} AND definition_hash <> ${prune.add(key.definitionHash)})`,
          prune.values,
        );
        for (let start = 0; start < grids.length; start += 100) {
          const p = new Params(this.dialect);
          const values = grids.slice(start, start + 100).map((g) =>
            `(${[key.formCode, g.gridCode, key.definitionHash, key.referenceDate, key.period.from, key.period.to, g.version, JSON.stringify(g.counts), today].map((v) => p.add(v)).join(', ')})`,
          );
          await m.query(
            `INSERT INTO summary_counts (form_code, grid_code, definition_hash, reference_date, period_from, period_to, version, counts, stored_on) VALUES ${values.join(', ')}
             ON CONFLICT (form_code, grid_code, definition_hash, reference_date, period_from, period_to)
             DO UPDATE SET version = excluded.version, counts = excluded.counts, stored_on = excluded.stored_on`,
            p.values,
          );
        }
      }, { bookkeeping: true });
    } catch (e) {
      this.logger.warn(`汇总表计数缓存写入失败（不影响本次查询）：${(e as Error).message}`);
    }
  }
}
