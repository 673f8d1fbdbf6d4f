import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { QualityRule } from './quality-rules.js';

export const QUALITY_RULES = Symbol('QUALITY_RULES');

/** Provides the data-quality rules of templates/rules.yaml, loaded and checked once before the app module is built. */
@Global()
@Module({})
export class QualityRulesModule {
  static forRoot(rules: QualityRule[]): DynamicModule {
    return { module: QualityRulesModule, providers: [{ provide: QUALITY_RULES, useValue: rules }], exports: [QUALITY_RULES] };
  }
}
