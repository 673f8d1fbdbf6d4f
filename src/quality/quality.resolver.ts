import { Args, Field, Int, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { CurrentViewer, Needs } from '../access/access.decorators.js';
import type { Viewer } from '../access/viewer.js';
import type { LedgerTypes } from '../ledger/graphql/ledger-types.factory.js';
import { PageInfoType } from '../views/view.types.js';
import { QualityReportService } from './quality-report.service.js';
import { QualityRuleCountType, QualityUnitCountType, QualityWarningType } from './quality.types.js';

/** The report's types hold residents, so they are declared once the ledger's Resident type exists (masking applies). */
function declareReportTypes(t: LedgerTypes) {
  @ObjectType('QualityResidentWarnings', { description: '一位在册居民及对其成立的数据质量规则' })
  class QualityResidentWarningsType {
    @Field(() => t.ResidentType) resident!: unknown;
    @Field(() => [QualityWarningType]) warnings!: QualityWarningType[];
  }

  @ObjectType('QualityReport', { description: '数据质量报告：区划内各规则成立的在册居民数，及这些居民（分页）' })
  class QualityReportType {
    @Field({ description: '区划代码' }) orgUnit!: string;
    @Field({ description: '区划名称' }) orgUnitName!: string;
    @Field(() => Int, { description: '检查的在册居民数' }) residentsChecked!: number;
    @Field(() => Int, { description: '至少一条规则成立的居民数' }) residentsAffected!: number;
    @Field(() => [QualityRuleCountType], { description: '每条规则（templates/rules.yaml 的顺序）及其成立的居民数，0 也列出' }) byRule!: QualityRuleCountType[];
    @Field(() => [QualityResidentWarningsType], { description: '本页的居民，按网格、记录编号排列' }) residents!: QualityResidentWarningsType[];
    @Field(() => PageInfoType) pageInfo!: PageInfoType;
    @Field(() => [QualityUnitCountType], { description: '区划内每个社区的合计，按区划顺序（区划为网格时为空）' }) communities!: QualityUnitCountType[];
    @Field(() => [QualityUnitCountType], { description: '区划内每个网格的合计，按区划顺序' }) grids!: QualityUnitCountType[];
  }
  return QualityReportType;
}

let reportType: ReturnType<typeof declareReportTypes> | undefined;

export function createQualityResolver(t: LedgerTypes) {
  // Nest keeps type metadata per process: declared once, like the ledger's types (a second app in tests reuses them).
  reportType ??= declareReportTypes(t);
  const QualityReportType = reportType;

  @Resolver()
  class QualityResolver {
    constructor(private readonly reports: QualityReportService) {}

    @Needs('ledger:read')
    @Query(() => QualityReportType, { description: '数据质量报告（templates/rules.yaml）：网格、社区或街道内各规则成立的在册居民数及这些居民；网格员只能查本网格' })
    qualityWarnings(
      @CurrentViewer() viewer: Viewer,
      @Args('orgUnit', { description: '网格、社区或街道代码' }) orgUnit: string,
      @Args('first', { type: () => Int, nullable: true, description: '每页居民数，1–500，默认 50' }) first: number | null,
      @Args('after', { type: () => String, nullable: true, description: '上一页的 pageInfo.endCursor' }) after: string | null,
    ) {
      return this.reports.report(viewer, orgUnit, first, after);
    }
  }
  return QualityResolver;
}
