import { Module } from '@nestjs/common';
import { OrgUnitRepository } from '../ledger/org-unit.repository.js';
import { ReportRepository } from '../reporting/report.repository.js';
import { ViewAccess } from './view-access.js';
import { ViewsResolver } from './views.resolver.js';
import { ViewsService } from './views.service.js';

/** Department forms as views of the ledger, pulled through GraphQL. */
@Module({ providers: [ViewsService, ViewAccess, ViewsResolver, OrgUnitRepository, ReportRepository], exports: [ViewsService, ViewAccess, ReportRepository] })
export class ViewsModule {}
