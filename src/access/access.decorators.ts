import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Request } from 'express';
import type { Permission } from './roles.js';
import type { Viewer } from './viewer.js';

export const PERMISSION = 'ybt:permission';
export const PUBLIC = 'ybt:public';

/** What a query, mutation or route needs. Every handler says it: without it the guard refuses (deny by default). */
export const Needs = (permission: Permission) => SetMetadata(PERMISSION, permission);

/** Reachable without logging in (login itself, the GraphQL IDE, the page's assets). */
export const Public = () => SetMetadata(PUBLIC, true);

/** The HTTP request behind a GraphQL operation or a route. */
export function requestOf(ctx: ExecutionContext): Request & { viewer?: Viewer; requestId?: string } {
  if (ctx.getType<string>() === 'graphql') return GqlExecutionContext.create(ctx).getContext().req;
  return ctx.switchToHttp().getRequest();
}

/** The logged-in viewer (the guard has already refused anonymous requests to handlers that need one). */
export const CurrentViewer = createParamDecorator((_: unknown, ctx: ExecutionContext): Viewer | undefined => requestOf(ctx).viewer);
