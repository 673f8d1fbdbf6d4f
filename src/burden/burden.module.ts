import { Module } from '@nestjs/common';
import { OrgUnitRepository } from '../ledger/org-unit.repository.js';
import { ViewsModule } from '../views/views.module.js';
import { BurdenController } from './burden.controller.js';
import { BurdenRepository } from './burden.repository.js';
import { BurdenResolver } from './burden.resolver.js';
import { BurdenService } from './burden.service.js';

/** 减负: what one entry saves, counted from the audit log and the forms' own rows. */
@Module({ imports: [ViewsModule], controllers: [BurdenController], providers: [BurdenService, BurdenRepository, BurdenResolver, OrgUnitRepository] })
export class BurdenModule {}
