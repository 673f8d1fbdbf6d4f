import { Module } from '@nestjs/common';
import { OrgUnitRepository } from '../ledger/org-unit.repository.js';
import { ViewsModule } from '../views/views.module.js';
import { CompletenessController } from './completeness.controller.js';
import { ReportingResolver } from './reporting.resolver.js';
import { ReportingService } from './reporting.service.js';

/** Periods, the submit/review workflow, frozen snapshots and completeness (一表流转). */
@Module({ imports: [ViewsModule], controllers: [CompletenessController], providers: [ReportingService, ReportingResolver, OrgUnitRepository], exports: [ReportingService] })
export class ReportingModule {}
