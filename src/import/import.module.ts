import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { AuthModule } from '../auth/auth.module.js';
import { ConfigService } from '../config/config.service.js';
import { LedgerCommandsModule } from '../ledger/commands/ledger-commands.module.js';
import { OrgUnitRepository } from '../ledger/org-unit.repository.js';
import { ViewsModule } from '../views/views.module.js';
import { ImportController } from './import.controller.js';
import { ImportRepository } from './import.repository.js';
import { ImportResolver } from './import.resolver.js';
import { ImportService } from './import.service.js';
import { ImportWriter } from './import-writer.js';

/** Importing the department ledgers communities kept in Excel. */
@Module({
  imports: [
    ViewsModule,
    AuthModule,
    LedgerCommandsModule,
    // Uploads are held in memory (they are read in a worker and stored with the import), up to MAX_UPLOAD_MB.
    MulterModule.registerAsync({ inject: [ConfigService], useFactory: (config: ConfigService) => ({ limits: { fileSize: config.limits.uploadBytes, files: 1 } }) }),
  ],
  controllers: [ImportController],
  providers: [ImportService, ImportRepository, ImportWriter, ImportResolver, OrgUnitRepository],
  exports: [ImportService],
})
export class ImportModule {}
