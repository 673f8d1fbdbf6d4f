import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AccessPolicy } from './access-policy.js';
import { PERMISSION, PUBLIC, requestOf } from './access.decorators.js';
import type { Permission } from './roles.js';

/**
 * Every query, mutation and route passes here (a global guard): anonymous requests need @Public, and a logged-in
 * viewer's role must hold the handler's @Needs permission. A handler that declares nothing is refused.
 * Field resolvers are not guarded here: each asks the AccessPolicy about the record it resolves.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly policy: AccessPolicy,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, targets)) return true;
    this.policy.requirePermission(requestOf(ctx).viewer, this.reflector.getAllAndOverride<Permission | undefined>(PERMISSION, targets));
    return true;
  }
}
