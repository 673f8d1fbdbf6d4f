import { Args, Extensions, Info, Int, Query, Resolver } from '@nestjs/graphql';
import { MAX_PULL_PAGE_SIZE } from '../access/page-size.js';
import type { GraphQLResolveInfo } from 'graphql';
import { CurrentViewer, Needs } from '../access/access.decorators.js';
import type { Viewer } from '../access/viewer.js';
import { ReadRouting } from '../database/read-routing.js';
import { FormViewType, TemplateType } from './view.types.js';
import { type FormView, ViewsService } from './views.service.js';
import { viewSelection } from './selection.js';

@Resolver()
export class ViewsResolver {
  constructor(
    private readonly views: ViewsService,
    private readonly reads: ReadRouting,
  ) {}

  @Needs('views:read')
  @Query(() => [TemplateType], { description: '部门表单模板（部门账号只见写明本部门的表单）' })
  templates(@CurrentViewer() viewer: Viewer) {
    return this.views.listFor(viewer).map((t) => ({ ...t, ...t.reporting, summary: t.rows.kind === 'summary' }));
  }

  @Needs('ledger:read')
  @Query(() => [TemplateType], { description: '一位居民现在出现在哪些部门表单中（按今天或本月）；保存后据此显示新进入和离开的表单' })
  async residentForms(@CurrentViewer() viewer: Viewer, @Args('idNumber') idNumber: string) {
    return (await this.views.formsOfResident(viewer, idNumber)).map((t) => ({ ...t, ...t.reporting, summary: false }));
  }

  @Needs('views:read')
  @Extensions({ maxPage: MAX_PULL_PAGE_SIZE })
  @Query(() => FormViewType, { description: '一张表单在某区划（任意层级）的数据：列与按列排列的行，分页' })
  async formView(
    @CurrentViewer() viewer: Viewer,
    @Args('code', { description: '表单代码，如 F01' }) code: string,
    @Args('orgUnit', { description: '区划或网格代码；区县、街道包含其下全部社区' }) orgUnit: string,
    @Args('referenceDate', { type: () => String, nullable: true, description: '参考日期 yyyy-mm-dd 或月份 yyyy-mm；默认今天/本月' }) referenceDate?: string | null,
    @Args('first', { type: () => Int, nullable: true, description: '每页行数，默认 100，最多 2000' }) first?: number | null,
    @Args('after', { type: () => String, nullable: true, description: '上一页的 pageInfo.endCursor（不透明；按表单自身排序定位，翻页期间的增删不会造成重复或遗漏）' }) after?: string | null,
    @Args('updatedSince', { type: () => String, nullable: true, description: '增量同步：ISO 8601 时间，只返回此后有变化的行，并在 removedKeys 中给出离开本表的行' })
    updatedSince?: string | null,
    @Args('period', { type: () => String, nullable: true, description: '报送期 2026-11、2026-Q4、2026：该期报表已报送或已审核时返回冻结的行（report 说明状态和审核人），否则为该期末日的实时数据' })
    period?: string | null,
    @Info() info?: GraphQLResolveInfo,
  ) {
    const select = info ? viewSelection(info, false) : undefined;
    // A department pull: on the read replica when there is one (the viewer's own changes wait for it, see ReadRouting).
    return frozenDates(await this.reads.replica(viewer, () => this.views.formView(viewer, { code, orgUnit, referenceDate, first, after, updatedSince, period }, { select, largestPage: MAX_PULL_PAGE_SIZE })));
  }
}

/** Instants of the frozen report as ISO text, for GraphQL. */
export function frozenDates<T extends { report: FormView['report'] }>(view: T) {
  const r = view.report;
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return { ...view, report: r && { ...r, submittedAt: iso(r.submittedAt), reviewedAt: iso(r.reviewedAt) } };
}
