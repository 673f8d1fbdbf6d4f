import { Module } from '@nestjs/common';
import { OrgUnitRepository } from '../ledger/org-unit.repository.js';
import { ReportRepository } from '../reporting/report.repository.js';
import { SummaryCountsRepository } from './summary-counts.repository.js';
import { ViewsResolver } from './views.resolver.js';
import { ViewsService } from './views.service.js';

/** Department forms as views of the ledger, pulled through GraphQL. */
@Module({ providers: [ViewsService, ViewsResolver, OrgUnitRepository, ReportRepository, SummaryCountsRepository], exports: [ViewsService, ReportRepository] })
export class ViewsModule {}
