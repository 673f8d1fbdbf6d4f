import { Args, Field, Int, Mutation, ObjectType, Resolver } from '@nestjs/graphql';
import { CurrentViewer, Needs } from '../access/access.decorators.js';
import type { Viewer } from '../access/viewer.js';
import { withoutTicket } from '../auth/auth.middleware.js';
import { AuthService } from '../auth/auth.service.js';
import { ExportService } from './export.service.js';

@ObjectType('ExportLink', { description: '导出文件的下载地址' })
class ExportLinkType {
  @Field({ description: '下载地址（GET），相对于本服务；带 5 分钟内有效的下载凭证，浏览器可直接打开' }) url!: string;
  @Field({ description: '文件名' }) fileName!: string;
  @Field(() => Int, { description: '将导出的行数' }) rows!: number;
}

@Resolver()
export class ExportResolver {
  constructor(
    private readonly exports: ExportService,
    private readonly auth: AuthService,
  ) {}

  @Needs('export')
  @Mutation(() => ExportLinkType, { description: '按部门表样导出 Excel（或 CSV）：检查参数后返回下载地址' })
  async exportForm(
    @CurrentViewer() viewer: Viewer,
    @Args('code', { description: '表单代码，或 all（社区的全部表单）' }) code: string,
    @Args('orgUnit', { description: '社区（一张表）或街道（每个社区一张表加汇总表）' }) orgUnit: string,
    @Args('date', { type: () => String, nullable: true, description: '参考日期 yyyy-mm-dd 或月份 yyyy-mm' }) date?: string | null,
    @Args('format', { type: () => String, nullable: true, description: 'xlsx（默认）或 csv' }) format?: string | null,
    @Args('period', { type: () => String, nullable: true, description: '报送期：导出该期已报送或已审核的报表（冻结的行，填好填表人、审核人）；与 code=all 和街道一起：该期全部报表' }) period?: string | null,
    @Args('reason', { type: () => String, nullable: true, description: '导出用途（至多 200 字），记入审计日志；可见完整号码的部门账号必填（否则 REASON_REQUIRED）' }) reason?: string | null,
  ): Promise<ExportLinkType> {
    const request = { code, orgUnit, date, period, reason, format: format === 'csv' ? ('csv' as const) : ('xlsx' as const) };
    const plan = await this.exports.prepare(viewer, request);
    const query = new URLSearchParams({ orgUnit, ...(date ? { date } : {}), ...(period ? { period } : {}), ...(format === 'csv' ? { format } : {}), ...(reason?.trim() ? { reason: reason.trim() } : {}) });
    const url = withoutTicket(`/exports/${encodeURIComponent(code)}?${query}`);
    return { url: `${url}&ticket=${await this.auth.ticket(viewer, url)}`, fileName: plan.fileName, rows: plan.rows };
  }
}
