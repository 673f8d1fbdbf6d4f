import { Global, Module } from '@nestjs/common';
import { AuditRepository } from './audit.repository.js';
import { AuditResolver } from './audit.resolver.js';
import { AuditService } from './audit.service.js';
import { DeniedLookupAuditPlugin } from './denied-lookup.js';

/** The append-only audit log, written by every module that changes or reveals anything; administrators read it. */
@Global()
@Module({ providers: [AuditRepository, AuditService, AuditResolver, DeniedLookupAuditPlugin], exports: [AuditService] })
export class AuditModule {}
