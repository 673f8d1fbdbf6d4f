import { Inject, Injectable } from '@nestjs/common';
import { AccessPolicy } from '../access/access-policy.js';
import { MAX_PULL_PAGE_SIZE, pageSize } from '../access/page-size.js';
import type { Viewer } from '../access/viewer.js';
import { AuditService } from '../audit/audit.service.js';
import { onPrimary, ReadRouting } from '../database/read-routing.js';
import { todayIso } from '../identity/index.js';
import type { TemplateSummary } from '../templates/template.loader.js';
import { TEMPLATES } from '../templates/templates.module.js';
import type { TemplateDef, ValueType } from '../templates/template.types.js';
import { ChangeLog } from './change-log.js';
import { decodeFeedCursor, encodeFeedCursor, FeedNotSupportedError } from './feed-errors.js';
import { FeedRepository } from './feed.repository.js';

export type FormChangeKind = 'ENTERED' | 'CHANGED' | 'LEFT';

export interface FormChange {
  kind: FormChangeKind;
  key: string;
  /** Resume after this change. */
  cursor: string;
  /** The row's values after the change, in `columns` order, as the viewer may see them; null when it left. */
  row: unknown[] | null;
  at: string;
}

export interface FormChanges {
  code: string;
  referenceDate: string;
  columns: { key: string; header: string[]; type: ValueType }[];
  changes: FormChange[];
  pageInfo: { hasNextPage: boolean; endCursor: string };
}

export interface FormChangesArgs {
  code: string;
  orgUnit: string;
  after?: string | null;
  first?: number | null;
  /** A webhook's batch is re-read exactly: no entry past this position. */
  upTo?: number | null;
}

/**
 * A form's change feed as one viewer sees it: the log's entries for the form after a cursor, each decided for the
 * viewer's unit (entered: not in its range before, in it now; left: the reverse; changed: in it before and after,
 * with a difference the viewer can see — a masked viewer is not told of a change hidden by the mask), values masked
 * as in formView.
 */
@Injectable()
export class FeedService {
  private readonly templates: Map<string, TemplateDef>;

  constructor(
    @Inject(TEMPLATES) templates: TemplateSummary[],
    private readonly policy: AccessPolicy,
    private readonly log: ChangeLog,
    private readonly repository: FeedRepository,
    private readonly audit: AuditService,
    private readonly reads: ReadRouting,
  ) {
    this.templates = new Map(templates.map((t) => [t.code, t.def]));
  }

  /**
   * `replica`: a department's pull (formChanges) reads the log on the read replica when there is one. The start or
   * renewal of a form's feed (ensureCurrent) writes and stays on the primary, and a call that did one reads the
   * primary too. Webhook batches never pass it: a batch's range is planned and re-read on the primary, so that every
   * attempt sends the same content.
   */
  async changes(viewer: Viewer, args: FormChangesArgs, options: { audit?: boolean; replica?: boolean } = {}): Promise<FormChanges> {
    const first = pageSize(args.first, 100, ['first'], MAX_PULL_PAGE_SIZE);
    const def = this.policy.template(viewer, this.templates.get(args.code), args.code);
    const after = decodeFeedCursor(args.after);
    if (!this.log.has(def.code)) throw new FeedNotSupportedError(def.code);
    const unit = await this.policy.unit(viewer, args.orgUnit);
    const grant = this.policy.grant(viewer, def, unit.code);
    const started = await this.log.ensureCurrent(def.code);
    const rows = this.log.rows(def.code);
    const read = async () => {
      // Read before the page (on the same database): every entry up to it is committed, so a page that ends early may skip to it.
      const head = args.upTo ?? (await this.repository.head());
      return { head, entries: await this.repository.page(def.code, unit.range, after, first + 1, args.upTo ?? null) };
    };
    // A replica behind the primary gives an earlier state of the log (a prefix of it): the client resumes from there.
    const { head, entries } = options.replica && !started ? await this.reads.replica(viewer, read) : await onPrimary(read);
    const page = entries.slice(0, first);
    const inRange = (grid: string | null) => grid !== null && grid >= unit.range.from && grid < unit.range.to;
    const changes: FormChange[] = [];
    for (const e of page) {
      const was = inRange(e.gridBefore);
      const now = inRange(e.gridAfter);
      if (was && now && (grant.masks ? e.maskedSame : e.fullSame)) continue; // nothing this viewer can see changed
      const kind: FormChangeKind = now ? (was ? 'CHANGED' : 'ENTERED') : 'LEFT';
      changes.push({
        kind, key: String(e.key), cursor: encodeFeedCursor(e.seq), at: e.at.toISOString(),
        row: now ? rows.columns.map((c, i) => grant.cell(c, e.values![i])) : null,
      });
    }
    const hasNextPage = entries.length > first;
    const last = page.length ? page[page.length - 1].seq : after;
    if (grant.revealed.length && changes.some((c) => c.row) && options.audit !== false) {
      const filter = { code: def.code, orgUnit: unit.code, after: args.after ?? null, feed: true, columns: grant.revealed };
      await this.audit.recordAccess(viewer, 'reveal', { entity: def.code, filter, rowCount: changes.filter((c) => c.row).length });
    }
    return {
      code: def.code,
      referenceDate: rows.dates(todayIso()).referenceDate,
      columns: rows.columns.map((c) => ({ key: c.key, header: c.header, type: c.type })),
      changes,
      pageInfo: { hasNextPage, endCursor: encodeFeedCursor(hasNextPage ? last : Math.max(last, head)) },
    };
  }
}
