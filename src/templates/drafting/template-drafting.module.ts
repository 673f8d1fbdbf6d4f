import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { ConfigService } from '../../config/config.service.js';
import { TemplateDraftingController } from './template-drafting.controller.js';
import { TemplateDraftingService } from './template-drafting.service.js';

/** Drafting a template from a department's blank form, reviewed and saved by an administrator on the page. */
@Module({
  // A blank form is held in memory while it is read (uploads up to MAX_UPLOAD_MB, as imports).
  imports: [MulterModule.registerAsync({ inject: [ConfigService], useFactory: (config: ConfigService) => ({ limits: { fileSize: config.limits.uploadBytes, files: 1 } }) })],
  controllers: [TemplateDraftingController],
  providers: [TemplateDraftingService],
})
export class TemplateDraftingModule {}
