import { Module } from '@nestjs/common';
import { OrgUnitRepository } from '../ledger/org-unit.repository.js';
import { ViewsModule } from '../views/views.module.js';
import { WorkListRepository } from './work-list.repository.js';
import { WorkListResolver } from './work-list.resolver.js';
import { WorkListService } from './work-list.service.js';

/** 待完善: the gaps in the department forms, per resident and grid. */
@Module({ imports: [ViewsModule], providers: [WorkListService, WorkListRepository, WorkListResolver, OrgUnitRepository] })
export class WorkListModule {}
