import { Injectable } from '@nestjs/common';
import { AccessPolicy, type GrantedUnit } from '../access/access-policy.js';
import type { Viewer } from '../access/viewer.js';
import { AuditService } from '../audit/audit.service.js';
import { ForbiddenError, NotFoundError, ValidationFailedError } from '../common/errors/domain-errors.js';
import { uniqueViolation } from '../database/database-errors.js';
import { UnitOfWork } from '../database/unit-of-work.js';
import { todayIso } from '../identity/index.js';
import { type OrgUnit, OrgUnitRepository } from '../ledger/org-unit.repository.js';
import type { TemplateDef } from '../templates/template.types.js';
import { ViewsService } from '../views/views.service.js';
import { parsePeriod, type Period } from './period.js';
import { reviewerName, submitterName } from './report-access.js';
import { decodeSnapshot, encodeSnapshot, snapshotHash, type ReportSnapshot } from './report-snapshot.js';
import { ReportRepository, type ReportRecord, type ReportStatus } from './report.repository.js';
import { ReportsMissingError, ReportStateError } from './reporting-errors.js';

/** One report that is expected: a form, an org unit that fills it, a period, and its report once submitted. */
export interface ReportSlot {
  def: TemplateDef;
  unit: GrantedUnit;
  period: Period;
  report: ReportRecord | null;
}

export type SlotStatus = 'pending' | ReportStatus;

export const STATUS_NAMES: Record<SlotStatus, string> = { pending: '待报', submitted: '已报', approved: '已审核', returned: '退回' };

export const statusOf = (slot: ReportSlot): SlotStatus => slot.report?.status ?? 'pending';

/** A day as yyyy-mm-dd in the server's time zone (TZ), like todayIso. */
const localDay = (d: Date) => todayIso(d);

/** Submitted by the due day (the first submission counts: a return and resubmission does not make it late). */
export const onTime = (slot: ReportSlot) => !!slot.report?.firstSubmittedAt && localDay(slot.report.firstSubmittedAt) <= slot.period.due;

/** Not (or no longer) with the reviewer, and the due day has passed. */
export const overdue = (slot: ReportSlot, today = todayIso()) => (statusOf(slot) === 'pending' || statusOf(slot) === 'returned') && today > slot.period.due;

/**
 * The reporting cycle (一表流转): a community (or street) submits a form for a period, which freezes its rows as the
 * department will see them; the level above approves it (locked) or returns it with a reason; a returned report is
 * fixed and resubmitted; only the reviewing level may reopen an approved one. Every step is audited.
 */
@Injectable()
export class ReportingService {
  constructor(
    private readonly views: ViewsService,
    private readonly reports: ReportRepository,
    private readonly orgUnits: OrgUnitRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly audit: AuditService,
    private readonly policy: AccessPolicy,
  ) {}

  /** The org unit if it lies in the viewer's area; NOT_FOUND otherwise, as if absent. */
  unitFor(viewer: Viewer, code: string): Promise<GrantedUnit> {
    return this.policy.unit(viewer, code);
  }

  /**
   * Every report expected under an org unit for a period: each form the viewer may see, each org unit below (or
   * equal to) it at the form's filling level, the form's own period containing the one asked for (a month names
   * its quarter for quarterly forms). Reports not yet submitted come back as 待报.
   */
  async slots(viewer: Viewer, orgUnitCode: string, periodText: string, forms?: TemplateDef[]): Promise<ReportSlot[]> {
    const unit = await this.unitFor(viewer, orgUnitCode);
    const plan: { def: TemplateDef; period: Period; units: GrantedUnit[] }[] = [];
    // Every form filled at one level shares that level's units: read them once per level, not once per form.
    const unitsByLevel = new Map<string, Promise<GrantedUnit[]>>();
    for (const def of forms ?? this.views.listFor(viewer)) {
      const period = this.periodOrNull(def, periodText);
      if (!period) continue;
      const level = def.reporting.filledBy;
      if (!unitsByLevel.has(level)) unitsByLevel.set(level, this.unitsAt(viewer, unit, level));
      plan.push({ def, period, units: await unitsByLevel.get(level)! });
    }
    if (plan.length === 0) parsePeriod('month', periodText, 10); // says why the period is not one
    const found = await this.reports.list(unit.range, [...new Set(plan.map((p) => p.period.key))]);
    const byKey = new Map(found.map((r) => [`${r.formCode}|${r.orgUnitCode}|${r.period}`, r]));
    return plan.flatMap(({ def, period, units }) => units.map((u) => ({ def, unit: u, period, report: byKey.get(`${def.code}|${u.code}|${period.key}`) ?? null })));
  }

  async slotOf(viewer: Viewer, id: number): Promise<ReportSlot> {
    const report = await this.reports.find(id);
    if (!report) throw new NotFoundError(`没有编号为 ${id} 的报表`);
    this.policy.requireRecord(viewer, report.orgUnitCode, `没有编号为 ${id} 的报表`, { entity: 'report', recordId: id });
    const def = this.views.templateFor(viewer, report.formCode);
    const unit = this.policy.granted(viewer, await this.orgUnits.findByCode(report.orgUnitCode), report.orgUnitCode);
    return { def, unit, period: parsePeriod(def.reporting.frequency, report.period, def.reporting.dueDay), report };
  }

  /** Submits (or, after a return or a reopening, resubmits) a report: its rows are frozen as they stand now. */
  async submit(viewer: Viewer, code: string, orgUnitCode: string, periodText: string): Promise<ReportSlot> {
    const def = this.views.templateFor(viewer, code);
    const unit = await this.unitFor(viewer, orgUnitCode);
    if (!this.policy.maySubmit(viewer, def, unit)) throw new ForbiddenError(`${def.code} ${def.name}由${submitterName(def)}报送`);
    if (unit.level !== def.reporting.filledBy) {
      throw new ReportStateError('WRONG_ORG_LEVEL', `${def.code} ${def.name}按${def.reporting.filledBy === 'community' ? '社区' : '街道'}报送，"${unit.name}"不是${def.reporting.filledBy === 'community' ? '社区' : '街道'}`);
    }
    const period = parsePeriod(def.reporting.frequency, periodText, def.reporting.dueDay);
    // A report says how things stood at the period's end: it is submitted from the period's last day on.
    if (period.from > todayIso()) throw new ReportStateError('PERIOD_NOT_STARTED', `报送期 ${period.label} 尚未开始`);
    if (period.to > todayIso()) throw new ReportStateError('PERIOD_NOT_ENDED', `报送期 ${period.label} 尚未结束，${period.to} 起才能报送`);
    this.refuseResubmission(await this.reports.findByKey({ formCode: def.code, orgUnitCode: unit.code, period: period.key }));
    if (def.reporting.filledBy === 'street') await this.requireApprovedCommunities(viewer, def, unit, period);

    const snapshot = await this.views.capture(def, unit, period);
    const submission = { byId: viewer.accountId, by: viewer.displayName || viewer.username, at: new Date(), rowCount: snapshot.rows.length, sha256: snapshotHash(snapshot), snapshot: encodeSnapshot(snapshot) };
    const key = { formCode: def.code, orgUnitCode: unit.code, period: period.key };
    try {
      const id = await this.unitOfWork.run(async (manager) => {
        const current = await this.reports.findByKey(key, manager);
        this.refuseResubmission(current);
        const id = current ? current.id : await this.reports.insertSubmitted(manager, key, submission);
        if (current && !(await this.reports.resubmit(manager, current.id, current.version, submission))) this.refuseResubmission({ ...current, status: 'submitted' });
        const filter = { code: def.code, orgUnit: unit.code, period: period.key, resubmission: !!current };
        // The hash goes in unscrubbed: the phone mask would take a run of its digits for a number.
        await this.audit.recordAccess(viewer, 'report_submit', { entity: 'report', recordId: id, filter, facts: { sha256: submission.sha256 }, rowCount: submission.rowCount }, manager);
        return id;
      });
      return { def, unit, period, report: await this.reports.find(id) };
    } catch (e) {
      if (uniqueViolation(e)) throw new ReportStateError('ALREADY_SUBMITTED', `${unit.name} ${def.code} ${period.label}的报表刚刚已由他人报送`);
      throw e;
    }
  }

  /** What the viewer may do with a report now (the page's buttons). */
  abilities(viewer: Viewer, slot: ReportSlot): { canSubmit: boolean; canReview: boolean } {
    const open = statusOf(slot) === 'pending' || statusOf(slot) === 'returned';
    return {
      canSubmit: this.policy.maySubmit(viewer, slot.def, slot.unit) && slot.unit.level === slot.def.reporting.filledBy && slot.period.to <= todayIso() && open,
      canReview: this.policy.mayReview(viewer, slot.def, slot.unit),
    };
  }

  async approve(viewer: Viewer, id: number): Promise<ReportSlot> {
    return this.review(viewer, id, 'submitted', 'approved', null, 'report_approve');
  }

  async returnReport(viewer: Viewer, id: number, reason: string): Promise<ReportSlot> {
    return this.review(viewer, id, 'submitted', 'returned', this.reason(reason), 'report_return');
  }

  /** Only the reviewing level reopens an approved report, with a reason: it goes back to the filler as returned. */
  async reopen(viewer: Viewer, id: number, reason: string): Promise<ReportSlot> {
    return this.review(viewer, id, 'approved', 'returned', this.reason(reason), 'report_reopen');
  }

  private async review(viewer: Viewer, id: number, from: ReportStatus, to: ReportStatus, reason: string | null, action: string): Promise<ReportSlot> {
    const slot = await this.slotOf(viewer, id);
    if (!this.policy.mayReview(viewer, slot.def, slot.unit)) throw new ForbiddenError(`${slot.def.code} ${slot.def.name}由${reviewerName(slot.def)}审核`);
    const refuse = (status: ReportStatus) =>
      from === 'submitted'
        ? new ReportStateError('REPORT_NOT_SUBMITTED', `该报表当前为"${STATUS_NAMES[status]}"，只能审核或退回"已报"的报表`)
        : new ReportStateError('REPORT_NOT_APPROVED', `该报表当前为"${STATUS_NAMES[status]}"，只能重新打开"已审核"的报表`);
    const report = slot.report!;
    if (report.status !== from) throw refuse(report.status);
    await this.unitOfWork.run(async (manager) => {
      if (!(await this.reports.review(manager, id, report.version, { status: to, byId: viewer.accountId, by: viewer.displayName || viewer.username, at: new Date(), reason }))) {
        throw refuse((await this.reports.find(id, manager))!.status);
      }
      const filter = { code: slot.def.code, orgUnit: slot.unit.code, period: slot.period.key, reason };
      await this.audit.recordAccess(viewer, action, { entity: 'report', recordId: id, filter }, manager);
    });
    return { ...slot, report: await this.reports.find(id) };
  }

  /**
   * What moved in the ledger since the report was frozen: rows that entered the form, rows that left, rows whose
   * shown values changed (row numbers aside), comparing the snapshot with the live view of the same period.
   */
  async changedSince(slot: ReportSlot): Promise<{ entered: number; left: number; changed: number } | null> {
    if (!slot.report || !slot.report.sha256) return null;
    const bytes = await this.reports.snapshot(slot.report.id);
    if (!bytes) return null;
    return compareSnapshots(slot.def, decodeSnapshot(bytes), await this.views.capture(slot.def, slot.unit, slot.period));
  }

  private refuseResubmission(report: ReportRecord | null): void {
    if (report?.status === 'submitted') throw new ReportStateError('ALREADY_SUBMITTED', '该报表已报送，正待审核；如需修改，请审核人先退回');
    if (report?.status === 'approved') throw new ReportStateError('REPORT_LOCKED', '该报表已审核通过并锁定；如需修改，请审核人重新打开');
  }

  /** A street summary counts its communities' forms of the same period: each of those must be approved first. */
  private async requireApprovedCommunities(viewer: Viewer, def: TemplateDef, street: OrgUnit, period: Period): Promise<void> {
    const counted = new Set(def.columns.flatMap((c) => (c.source.kind === 'countForm' ? [c.source.form] : [])));
    const forms = this.views.list().filter((t) => counted.has(t.code) && t.reporting.frequency === def.reporting.frequency && t.reporting.filledBy === 'community');
    const slots = await this.slots(viewer, street.code, period.key, forms);
    const missing = slots.filter((s) => statusOf(s) !== 'approved');
    if (missing.length) throw new ReportsMissingError(missing.map((s) => ({ code: s.def.code, orgUnitCode: s.unit.code, orgUnitName: s.unit.name, status: STATUS_NAMES[statusOf(s)] })));
  }

  private reason(text: string): string {
    const reason = (text ?? '').trim();
    if (!reason) throw new ValidationFailedError([{ path: ['reason'], code: 'REASON_REQUIRED', message: '请填写原因' }]);
    if (reason.length > 500) throw new ValidationFailedError([{ path: ['reason'], code: 'TOO_LONG', message: '原因不能超过 500 个字' }]);
    return reason;
  }

  private periodOrNull(def: TemplateDef, text: string): Period | null {
    try {
      return parsePeriod(def.reporting.frequency, text, def.reporting.dueDay);
    } catch {
      return null;
    }
  }

  /** The unit itself if it is at `level`; its descendants at `level` if it is above; nothing if it is below. */
  private async unitsAt(viewer: Viewer, unit: GrantedUnit, level: 'community' | 'street'): Promise<GrantedUnit[]> {
    if (unit.level === level) return [unit];
    const order = ['district', 'street', 'community', 'grid'];
    if (order.indexOf(unit.level) > order.indexOf(level)) return [];
    return (await this.orgUnits.unitsUnder(unit.range, level)).map((u) => this.policy.granted(viewer, u, u.code));
  }
}

/** Entered, left and changed rows between a frozen report and the live view (pure). */
export function compareSnapshots(def: TemplateDef, frozen: ReportSnapshot, live: ReportSnapshot): { entered: number; left: number; changed: number } {
  const shown = def.columns.map((c, i) => (c.source.kind === 'rowNumber' ? -1 : i)).filter((i) => i >= 0);
  const signature = (row: unknown[]) => JSON.stringify(shown.map((i) => row[i] ?? null));
  const before = new Map(frozen.keys.map((k, i) => [k, signature(frozen.rows[i])]));
  const after = new Map(live.keys.map((k, i) => [k, signature(live.rows[i])]));
  let entered = 0;
  let changed = 0;
  for (const [key, sig] of after) {
    if (!before.has(key)) entered++;
    else if (before.get(key) !== sig) changed++;
  }
  const left = [...before.keys()].filter((k) => !after.has(k)).length;
  return { entered, left, changed };
}
