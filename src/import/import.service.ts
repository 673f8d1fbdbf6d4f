import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AccessPolicy, type GrantedUnit, seesFullValues } from '../access/access-policy.js';
import type { Viewer } from '../access/viewer.js';
import { AuditService } from '../audit/audit.service.js';
import { DomainError, NotFoundError, ValidationFailedError } from '../common/errors/domain-errors.js';
import { UnitOfWork } from '../database/unit-of-work.js';
import { DICTIONARY } from '../dictionary/dictionary.module.js';
import type { Dictionary } from '../dictionary/dictionary.types.js';
import { todayIso } from '../identity/index.js';
import type { TemplateDef } from '../templates/template.types.js';
import { ViewsService } from '../views/views.service.js';
import { ImportRepository } from './import.repository.js';
import { type CellProblem, type ConflictChoice, type FieldDiff, type RowKind, type RowOutcome, type RowPlan, summarize } from './import.types.js';
import { scrubText } from '../access/masking.js';
import { ImportWriter } from './import-writer.js';
import { LedgerSnapshot } from './ledger-snapshot.js';
import { importPlan, readOptionsFor, reverseRow } from './mapping/index.js';
import { isImportFileError, readLedgerFile, type SheetRead } from './reader/index.js';
import { analyzeBusinessRow, analyzeVisitRow } from './record-rows.js';
import { analyzeResidentRow } from './resident-rows.js';
import { type ImportContext, RowWork } from './row-context.js';
import { pageSize } from '../access/page-size.js';
import type { QualityRule } from '../quality/quality-rules.js';
import { QUALITY_RULES } from '../quality/quality-rules.module.js';

/** A file that cannot be read as the form (not an xlsx, a zip bomb, no matching header…): nothing is stored. */
export class ImportFileRejectedError extends DomainError {
  constructor(
    readonly code: string,
    message: string,
    readonly detailsList?: string[],
  ) {
    super(message);
  }
  override details() {
    return this.detailsList ? { details: this.detailsList } : {};
  }
}

class ImportRuleError extends ValidationFailedError {}

/** Rows done so far, of how many. */
type Progress = (done: number, total: number) => void;

export interface UploadInput {
  form: string;
  orgUnit: string;
  fileName: string;
  bytes: Buffer;
}

/**
 * Importing a department ledger a community kept in Excel: upload (read off the main thread, matched against the
 * ledger without changing it: the preview), then commit (everything in one transaction, as source "import" with
 * the file's SHA-256). The same file committed again changes nothing.
 */
@Injectable()
export class ImportService {
  constructor(
    private readonly views: ViewsService,
    private readonly policy: AccessPolicy,
    private readonly repository: ImportRepository,
    private readonly writer: ImportWriter,
    private readonly unitOfWork: UnitOfWork,
    private readonly audit: AuditService,
    private readonly dataSource: DataSource,
    @Inject(DICTIONARY) private readonly dict: Dictionary,
    @Inject(QUALITY_RULES) private readonly rules: QualityRule[],
  ) {}

  async upload(viewer: Viewer, input: UploadInput, onProgress?: Progress) {
    const { def, unit } = await this.target(viewer, input.form, input.orgUnit);
    const sha256 = createHash('sha256').update(input.bytes).digest('hex');
    const read = await this.read(def, input.bytes);
    const { plans } = await this.analyze(this.dataSource.manager, viewer, def, unit, read, onProgress);
    const outcomes = plans.map((p) => p.outcome);
    const summary = summarize(outcomes);
    const twin = await this.repository.committedTwin(sha256, def.code, unit.code);
    const record = { sha256, formCode: def.code, orgUnitCode: unit.code, fileName: input.fileName, file: input.bytes, accountId: viewer.accountId, username: viewer.username, summary, outcome: outcomes };
    const id = await this.unitOfWork.run(async (manager) => {
      const stored = await this.repository.insert(manager, record);
      await this.audit.recordAccess({ ...viewer, source: 'import' }, 'import_preview', { entity: def.code, recordId: stored, filter: { fileName: input.fileName, orgUnit: unit.code }, facts: { sha256 }, rowCount: outcomes.length }, manager);
      return stored;
    });
    return { ...(await this.get(viewer, id)), sheetName: read.sheetName, fileWarnings: read.warnings.map((w) => w.message), alreadyImported: twin };
  }

  async get(viewer: Viewer, id: number) {
    const record = await this.repository.find(id);
    if (!record) throw new NotFoundError(`没有编号为 ${id} 的导入`);
    this.policy.requireRecord(viewer, record.orgUnitCode, `没有编号为 ${id} 的导入`, { entity: 'import', recordId: id });
    return record;
  }

  /** An earlier committed import of the same file (same form and org unit). */
  twinOf(record: { id: number; sha256: string; formCode: string; orgUnitCode: string }) {
    return this.repository.committedTwin(record.sha256, record.formCode, record.orgUnitCode).then((t) => (t && t.id !== record.id ? t : null));
  }

  /** The preview's rows, of one kind or all, a page at a time. */
  async rows(viewer: Viewer, id: number, kind: RowKind | null, first: number, after: number): Promise<{ total: number; rows: RowOutcome[] }> {
    await this.get(viewer, id);
    const all = (await this.repository.outcome(id)).filter((o) => !kind || o.kind === kind || (kind === 'conflict' && o.conflicts.length > 0));
    return { total: all.length, rows: all.slice(after, after + pageSize(first)).map((o) => this.masked(viewer, o)) };
  }

  /** ID and phone numbers in a preview, masked for a viewer not entitled to them (the one masking rule). */
  private masked(viewer: Viewer, o: RowOutcome): RowOutcome {
    if (seesFullValues(viewer)) return o;
    const value = (field: string, v: unknown) => this.policy.field(viewer, field, v);
    const diff = (d: FieldDiff) => ({ ...d, ledger: value(d.field, d.ledger), file: value(d.field, d.file) });
    const problem = (p: CellProblem) => ({ ...p, value: scrubText(p.value), message: scrubText(p.message) });
    return { ...o, subject: scrubText(o.subject), changes: o.changes.map(diff), conflicts: o.conflicts.map(diff), errors: o.errors.map(problem), warnings: o.warnings.map(problem) };
  }

  async outcome(viewer: Viewer, id: number): Promise<RowOutcome[]> {
    await this.get(viewer, id);
    return this.repository.outcome(id);
  }

  async file(viewer: Viewer, id: number): Promise<Buffer> {
    await this.get(viewer, id);
    return this.repository.file(id);
  }

  /**
   * Applies the import in one transaction, re-matched against the ledger as it is now. Conflicts keep the ledger's
   * value or take the file's, as chosen; rows with errors stop the commit unless only the valid rows are asked for.
   */
  async commit(viewer: Viewer, id: number, options: { onConflict: ConflictChoice; validRowsOnly: boolean }, onProgress?: (rows: number) => void) {
    const record = await this.get(viewer, id);
    if (record.status === 'committed') throw new ImportRuleError([{ path: ['id'], code: 'ALREADY_COMMITTED', message: `该导入已于 ${record.committedAt?.toISOString()} 提交，不能重复提交` }]);
    const { def, unit } = await this.target(viewer, record.formCode, record.orgUnitCode);
    const read = await this.read(def, await this.repository.file(id));
    const today = todayIso();
    const importer: Viewer = { ...viewer, source: 'import' };
    const changed = await this.unitOfWork.run(async (manager) => {
      const { plans, snapshot } = await this.analyze(manager, viewer, def, unit, read);
      const errors = plans.filter((p) => p.outcome.kind === 'error').length;
      if (errors && !options.validRowsOnly) {
        throw new ImportRuleError([{ path: ['validRowsOnly'], code: 'IMPORT_HAS_ERRORS', message: `还有 ${errors} 行有错误：请改正后重新上传，或明确选择只提交无误的行` }]);
      }
      const count = await this.writer.apply(manager, importer, snapshot, plans, options.onConflict, today, onProgress);
      if (!(await this.repository.markCommitted(manager, id, count))) throw new ImportRuleError([{ path: ['id'], code: 'ALREADY_COMMITTED', message: '该导入已提交，不能重复提交' }]);
      await this.audit.recordAccess(importer, 'import', { entity: def.code, recordId: id, filter: { fileName: record.fileName, orgUnit: unit.code, ...options }, facts: { sha256: record.sha256 }, rowCount: count }, manager);
      return count;
    });
    return { ...(await this.get(viewer, id)), changed };
  }

  private async target(viewer: Viewer, form: string, orgUnit: string): Promise<{ def: TemplateDef; unit: GrantedUnit }> {
    const def = this.views.templateFor(viewer, form);
    const unit = await this.policy.unit(viewer, orgUnit);
    if (def.rows.kind !== 'rows') throw new ImportRuleError([{ path: ['form'], code: 'NOT_IMPORTABLE', message: `${def.code} ${def.name}是汇总表，由台账计算得出，不能导入` }]);
    if (unit.level !== 'community' && unit.level !== 'grid') throw new ImportRuleError([{ path: ['orgUnit'], code: 'WRONG_ORG_LEVEL', message: '台账按社区或网格导入' }]);
    return { def, unit };
  }

  private async read(def: TemplateDef, bytes: Buffer): Promise<SheetRead> {
    try {
      return await readLedgerFile(bytes, def.columns, readOptionsFor(def, this.dict));
    } catch (e) {
      if (isImportFileError(e)) throw new ImportFileRejectedError(e.code, e.message, e.details);
      throw e;
    }
  }

  /** Matches every row against the ledger (read with `manager`), without changing anything. */
  private async analyze(manager: EntityManager, viewer: Viewer, def: TemplateDef, unit: GrantedUnit, read: SheetRead, onProgress?: Progress): Promise<{ plans: RowPlan[]; snapshot: LedgerSnapshot }> {
    const today = todayIso();
    const referenceDate = read.info.date && read.info.date <= today ? read.info.date : today;
    const reversed = await inSlices(read.rows, (row) => reverseRow(def, this.dict, row, { referenceDate }));
    const entity = def.rows.kind === 'rows' ? def.rows.entity : 'resident';
    const idNumbers = reversed.flatMap((r) => [r.values.idNumber, r.values.operator].filter((v): v is string => typeof v === 'string'));
    const snapshot = await LedgerSnapshot.load(manager, this.dict, unit, { idNumbers, visits: entity === 'visit', businesses: entity === 'business' });
    const reaches = (code: string | null | undefined) => this.policy.reaches(viewer, code);
    const ctx: ImportContext = { def, dict: this.dict, plan: importPlan(def, this.dict), snapshot, viewer, reaches, today, referenceDate, rules: this.rules, seen: new Map() };
    const analyzeRow = entity === 'visit' ? analyzeVisitRow : entity === 'business' ? analyzeBusinessRow : analyzeResidentRow;
    const plans = await inSlices(read.rows, (row, i) => {
      if (i % 1000 === 0) onProgress?.(i, read.rows.length);
      return analyzeRow(new RowWork(ctx, row, reversed[i]));
    });
    onProgress?.(plans.length, plans.length);
    return { plans, snapshot };
  }
}

/** Maps a long list a few thousand items at a time, letting other requests run in between. */
async function inSlices<T, R>(items: T[], fn: (item: T, index: number) => R, slice = 2000): Promise<R[]> {
  const out: R[] = new Array(items.length);
  for (let start = 0; start < items.length; start += slice) {
    if (start) await new Promise((resolve) => setImmediate(resolve));
    for (let i = start; i < Math.min(start + slice, items.length); i++) out[i] = fn(items[i], i);
  }
  return out;
}
