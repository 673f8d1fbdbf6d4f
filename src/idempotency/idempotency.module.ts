import { Module } from '@nestjs/common';
import { IdempotencyKeyRepository } from './idempotency-key.repository.js';
import { IdempotencyService } from './idempotency.service.js';

/** Idempotency keys for retried writes; the GraphQL plugin (idempotency.plugin.ts) is registered in AppModule. */
@Module({ providers: [IdempotencyKeyRepository, IdempotencyService], exports: [IdempotencyService] })
export class IdempotencyModule {}
