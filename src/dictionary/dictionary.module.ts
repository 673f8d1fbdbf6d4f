import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { Dictionary } from './dictionary.types.js';

export const DICTIONARY = Symbol('DICTIONARY');

/** Provides the field dictionary, loaded and validated once before the app module is built. */
@Global()
@Module({})
export class DictionaryModule {
  static forRoot(dictionary: Dictionary): DynamicModule {
    return { module: DictionaryModule, providers: [{ provide: DICTIONARY, useValue: dictionary }], exports: [DICTIONARY] };
  }
}
