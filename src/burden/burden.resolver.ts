import { Args, Query, Resolver } from '@nestjs/graphql';
import { CurrentViewer, Needs } from '../access/access.decorators.js';
import type { Viewer } from '../access/viewer.js';
import { BurdenReportType } from './burden.types.js';
import { BurdenService } from './burden.service.js';

/** The burden report's public contract. Thin: the service decides. */
@Resolver(() => BurdenReportType)
export class BurdenResolver {
  constructor(private readonly burden: BurdenService) {}

  @Needs('reports:read')
  @Query(() => BurdenReportType, { description: '减负报告：某区划（社区，或汇总到街道、区县）某统计期人工录入的事实、填入部门表单的单元格及其比值、无需填写的表单、各部门表单要同样事实的情况；部门账号只看到本部门的表单' })
  burdenReport(@CurrentViewer() viewer: Viewer, @Args('orgUnit') orgUnit: string, @Args('period', { description: '2026-11、2026-Q4 或 2026' }) period: string) {
    return this.burden.report(viewer, orgUnit, period);
  }
}
