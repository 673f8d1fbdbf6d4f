import { Args, Int, Query, Resolver } from '@nestjs/graphql';
import { CurrentViewer, Needs } from '../access/access.decorators.js';
import type { Viewer } from '../access/viewer.js';
import { WorkListService } from './work-list.service.js';
import { WorkListType } from './work-list.types.js';

/** 待完善 (the work list): thin, the service decides. */
@Resolver(() => WorkListType)
export class WorkListResolver {
  constructor(private readonly service: WorkListService) {}

  @Needs('views:read')
  @Query(() => WorkListType, { description: '待完善：区划（网格、社区、街道）内各部门表单中有空项的居民、所涉表单和空着的项，截止日近的在前；部门账号只看本部门的表单' })
  workList(
    @CurrentViewer() viewer: Viewer,
    @Args('orgUnit', { description: '网格、社区、街道或区县代码' }) orgUnit: string,
    @Args('first', { type: () => Int, nullable: true, description: '每页居民数，1–500，默认 100' }) first: number | null,
    @Args('after', { type: () => String, nullable: true, description: '上一页的 pageInfo.endCursor' }) after: string | null,
  ) {
    return this.service.workList(viewer, orgUnit, first, after);
  }
}
