import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { VisitSchedule } from './visit-schedule.loader.js';

export const VISIT_SCHEDULE = Symbol('VISIT_SCHEDULE');

/** Provides templates/visits.yaml, loaded and checked once before the app module is built. */
@Global()
@Module({})
export class VisitScheduleModule {
  static forRoot(schedule: VisitSchedule): DynamicModule {
    return { module: VisitScheduleModule, providers: [{ provide: VISIT_SCHEDULE, useValue: schedule }], exports: [VISIT_SCHEDULE] };
  }
}
