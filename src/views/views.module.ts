import { Module } from '@nestjs/common';
import { OrgUnitRepository } from '../ledger/org-unit.repository.js';
import { ViewAccess } from './view-access.js';
import { ViewsResolver } from './views.resolver.js';
import { ViewsService } from './views.service.js';

/** Department forms as views of the ledger, pulled through GraphQL. */
@Module({ providers: [ViewsService, ViewAccess, ViewsResolver, OrgUnitRepository], exports: [ViewsService, ViewAccess] })
export class ViewsModule {}
