import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { OrgUnitRepository } from '../ledger/org-unit.repository.js';
import { ViewsModule } from '../views/views.module.js';
import { ExportController } from './export.controller.js';
import { ExportResolver } from './export.resolver.js';
import { ExportService } from './export.service.js';

/** Excel exports in each department's own layout. */
@Module({ imports: [ViewsModule, AuthModule], controllers: [ExportController], providers: [ExportService, OrgUnitRepository, ExportResolver], exports: [ExportService] })
export class ExcelModule {}
