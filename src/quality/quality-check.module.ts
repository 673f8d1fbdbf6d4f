import { Module } from '@nestjs/common';
import { QualityChecker } from './quality-checker.js';
import { QualityRepository } from './quality.repository.js';

/** The data-quality checks, for the one write path, imports, the Resident type and the report. */
@Module({ providers: [QualityRepository, QualityChecker], exports: [QualityRepository, QualityChecker] })
export class QualityCheckModule {}
