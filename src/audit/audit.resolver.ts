import { Args, GraphQLISODateTime, Int, Query, Resolver } from '@nestjs/graphql';
import { Needs } from '../access/access.decorators.js';
import { pageSize } from '../access/page-size.js';
import { AuditService } from './audit.service.js';
import { AuditEntryType } from './audit.types.js';

@Resolver()
export class AuditResolver {
  constructor(private readonly audit: AuditService) {}

  @Needs('audit:read')
  @Query(() => [AuditEntryType], { description: '审计日志，最新的在前（管理员）；before 为上一页最后一条的 id' })
  async auditLog(
    @Args('accountId', { type: () => Int, nullable: true }) accountId?: number | null,
    @Args('action', { type: () => String, nullable: true }) action?: string | null,
    @Args('entity', { type: () => String, nullable: true }) entity?: string | null,
    @Args('recordId', { type: () => Int, nullable: true }) recordId?: number | null,
    @Args('from', { type: () => GraphQLISODateTime, nullable: true }) from?: Date | null,
    @Args('to', { type: () => GraphQLISODateTime, nullable: true }) to?: Date | null,
    @Args('first', { type: () => Int, nullable: true, description: '条数，默认 100，最多 500' }) first?: number | null,
    @Args('before', { type: () => Int, nullable: true }) before?: number | null,
  ) {
    const records = await this.audit.find({ accountId, action, entity, recordId, from, to, beforeId: before, limit: pageSize(first) });
    return this.audit.described(records);
  }
}
