import { Module } from '@nestjs/common';
import { OrgUnitRepository } from '../ledger/org-unit.repository.js';
import { ViewsModule } from '../views/views.module.js';
import { VisitsDueRepository } from './visits-due.repository.js';
import { VisitsDueResolver } from './visits-due.resolver.js';
import { VisitsDueService } from './visits-due.service.js';

/** 本月待走访: key-group visits due (templates/visits.yaml) and visit coverage. */
@Module({ imports: [ViewsModule], providers: [VisitsDueService, VisitsDueRepository, VisitsDueResolver, OrgUnitRepository] })
export class VisitsDueModule {}
