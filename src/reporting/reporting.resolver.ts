import { Args, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { CurrentViewer, Needs } from '../access/access.decorators.js';
import type { Viewer } from '../access/viewer.js';
import { todayIso } from '../identity/index.js';
import { completeness } from './completeness.js';
import { FormCompletenessType, ReportChangesType, ReportType } from './report.types.js';
import { onTime, overdue, ReportingService, type ReportSlot, STATUS_NAMES, statusOf } from './reporting.service.js';

type ReportAnswer = ReportType & { slot: ReportSlot };

/** The reporting cycle's public contract: reports, submit, approve, return, reopen, completeness. Thin: the service decides. */
@Resolver(() => ReportType)
export class ReportingResolver {
  constructor(private readonly reporting: ReportingService) {}

  @Needs('reports:read')
  @Query(() => [ReportType], { description: '某区划（含其下各级）某报送期应报的全部报表及其状态；period 为月份时，季报、年报取所在季度、年度' })
  async reports(@CurrentViewer() viewer: Viewer, @Args('orgUnit') orgUnit: string, @Args('period', { description: '2026-11、2026-Q4 或 2026' }) period: string) {
    return (await this.reporting.slots(viewer, orgUnit, period)).map((s) => this.answer(viewer, s));
  }

  @Needs('reports:read')
  @Query(() => ReportType, { description: '一张报表' })
  async report(@CurrentViewer() viewer: Viewer, @Args('id', { type: () => Int }) id: number) {
    return this.answer(viewer, await this.reporting.slotOf(viewer, id));
  }

  @Needs('reports:read')
  @Query(() => [FormCompletenessType], { description: '报送情况：街道或区县某报送期各表应报、已报、已审核、退回、逾期、按时的区划' })
  async reportingCompleteness(@CurrentViewer() viewer: Viewer, @Args('orgUnit') orgUnit: string, @Args('period') period: string) {
    return completeness(await this.reporting.slots(viewer, orgUnit, period), todayIso());
  }

  @Needs('reports:submit')
  @Mutation(() => ReportType, { description: '报送（或退回后重新报送）：按当前台账冻结本期报表的行，供部门取用' })
  async submitReport(@CurrentViewer() viewer: Viewer, @Args('code') code: string, @Args('orgUnit') orgUnit: string, @Args('period') period: string) {
    return this.answer(viewer, await this.reporting.submit(viewer, code, orgUnit, period));
  }

  @Needs('reports:review')
  @Mutation(() => ReportType, { description: '审核通过：报表锁定' })
  async approveReport(@CurrentViewer() viewer: Viewer, @Args('id', { type: () => Int }) id: number) {
    return this.answer(viewer, await this.reporting.approve(viewer, id));
  }

  @Needs('reports:review')
  @Mutation(() => ReportType, { description: '退回给填报单位，须写明原因' })
  async returnReport(@CurrentViewer() viewer: Viewer, @Args('id', { type: () => Int }) id: number, @Args('reason') reason: string) {
    return this.answer(viewer, await this.reporting.returnReport(viewer, id, reason));
  }

  @Needs('reports:review')
  @Mutation(() => ReportType, { description: '重新打开已审核的报表（退回填报单位修改），须写明原因' })
  async reopenReport(@CurrentViewer() viewer: Viewer, @Args('id', { type: () => Int }) id: number, @Args('reason') reason: string) {
    return this.answer(viewer, await this.reporting.reopen(viewer, id, reason));
  }

  @ResolveField(() => ReportChangesType, { nullable: true })
  changedSince(@Parent() report: ReportAnswer) {
    return this.reporting.changedSince(report.slot);
  }

  private answer(viewer: Viewer, slot: ReportSlot): ReportAnswer {
    return answer(slot, this.reporting.abilities(viewer, slot));
  }
}

function answer(slot: ReportSlot, may: { canSubmit: boolean; canReview: boolean }): ReportAnswer {
  const r = slot.report;
  const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
  return {
    slot,
    id: r?.id ?? null,
    code: slot.def.code,
    formName: slot.def.name,
    orgUnitCode: slot.unit.code,
    orgUnitName: slot.unit.name,
    period: slot.period.key,
    periodLabel: slot.period.label,
    dueDate: slot.period.due,
    status: statusOf(slot),
    statusName: STATUS_NAMES[statusOf(slot)],
    submittedBy: r?.submittedBy ?? null,
    submittedAt: iso(r?.submittedAt),
    reviewedBy: r?.reviewedBy ?? null,
    reviewedAt: iso(r?.reviewedAt),
    returnReason: r?.returnReason ?? null,
    rowCount: r?.rowCount ?? 0,
    sha256: r?.sha256 ?? null,
    onTime: onTime(slot),
    overdue: overdue(slot),
    ...may,
  };
}
