import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ForbiddenError, UnauthenticatedError } from '../common/errors/domain-errors.js';
import { PERMISSION, PUBLIC, requestOf } from './access.decorators.js';
import { type Permission, roleCan, ROLE_NAMES } from './roles.js';

const PERMISSION_NAMES: Record<Permission, string> = {
  'ledger:read': '查看台账',
  'ledger:write': '录入台账',
  'ledger:transfer': '迁移居民',
  'staff:write': '维护工作人员',
  'views:read': '查看部门表单',
  export: '导出',
  import: '导入',
  'accounts:manage': '管理账号',
  'audit:read': '查看审计日志',
  'reports:read': '查看报表报送情况',
  'reports:submit': '报送报表',
  'reports:review': '审核报表',
};

/**
 * Every query, mutation and route passes here (a global guard): anonymous requests need @Public, and a logged-in
 * viewer's role must hold the handler's @Needs permission. A handler that declares nothing is refused.
 * Field resolvers are not guarded here: they check each record's org unit themselves.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(ctx: ExecutionContext): boolean {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, targets)) return true;
    const viewer = requestOf(ctx).viewer;
    if (!viewer) throw new UnauthenticatedError();
    const permission = this.reflector.getAllAndOverride<Permission | undefined>(PERMISSION, targets);
    if (!permission || !roleCan(viewer.role, permission)) {
      throw new ForbiddenError(`${ROLE_NAMES[viewer.role]}无权${permission ? PERMISSION_NAMES[permission] : '执行此操作'}`);
    }
    return true;
  }
}
