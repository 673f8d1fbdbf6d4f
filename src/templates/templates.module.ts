import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { TemplateSummary } from './template.loader.js';

export const TEMPLATES = Symbol('TEMPLATES');

/** Provides the department templates, loaded and validated once before the app module is built. */
@Global()
@Module({})
export class TemplatesModule {
  static forRoot(templates: TemplateSummary[]): DynamicModule {
    return { module: TemplatesModule, providers: [{ provide: TEMPLATES, useValue: templates }], exports: [TEMPLATES] };
  }
}
