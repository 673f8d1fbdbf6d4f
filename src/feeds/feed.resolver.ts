import { Args, Extensions, Int, Query, Resolver } from '@nestjs/graphql';
import { MAX_PULL_PAGE_SIZE } from '../access/page-size.js';
import { CurrentViewer, Needs } from '../access/access.decorators.js';
import type { Viewer } from '../access/viewer.js';
import { FormChangesType } from './feed.types.js';
import { FeedService } from './feed.service.js';

@Resolver()
export class FeedResolver {
  constructor(private readonly feed: FeedService) {}

  @Needs('views:read')
  @Extensions({ maxPage: MAX_PULL_PAGE_SIZE })
  @Query(() => FormChangesType, { description: '表单的变更流：after 之后进入、变化（含新值）和离开本表的行，按提交顺序，按本用户的权限脱敏；不传 after 时从头开始（先给出全部现有行）' })
  formChanges(
    @CurrentViewer() viewer: Viewer,
    @Args('code', { description: '表单代码，如 F01（汇总表没有变更流）' }) code: string,
    @Args('orgUnit', { description: '区划或网格代码' }) orgUnit: string,
    @Args('after', { type: () => String, nullable: true, description: '上次的 pageInfo.endCursor（或某条变更的 cursor）' }) after?: string | null,
    @Args('first', { type: () => Int, nullable: true, description: '每页最多几条变更，默认 100，最多 2000' }) first?: number | null,
  ) {
    // A department pull: the log on the read replica when there is one (see FeedService.changes).
    return this.feed.changes(viewer, { code, orgUnit, after, first }, { replica: true });
  }
}
