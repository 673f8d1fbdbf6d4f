import { Args, Int, Query, Resolver } from '@nestjs/graphql';
import { CurrentViewer, Needs } from '../access/access.decorators.js';
import type { Viewer } from '../access/viewer.js';
import { VisitsDueService } from './visits-due.service.js';
import { VisitsDueType } from './visits-due.types.js';

/** 本月待走访: thin, the service decides. */
@Resolver(() => VisitsDueType)
export class VisitsDueResolver {
  constructor(private readonly visits: VisitsDueService) {}

  @Needs('ledger:read')
  @Query(() => VisitsDueType, { description: '重点人群走访：某月尚未走访的居民（逾期的在前）和各网格、社区的走访覆盖；频次见 templates/visits.yaml' })
  visitsDue(
    @CurrentViewer() viewer: Viewer,
    @Args('orgUnit', { description: '网格、社区、街道或区县代码' }) orgUnit: string,
    @Args('month', { description: '月份 yyyy-mm，不晚于本月' }) month: string,
    @Args('first', { type: () => Int, nullable: true, description: '每页居民数，1–500，默认 100' }) first: number | null,
    @Args('after', { type: () => String, nullable: true, description: '上一页的 pageInfo.endCursor' }) after: string | null,
  ) {
    return this.visits.visitsDue(viewer, orgUnit, month, first, after);
  }
}
