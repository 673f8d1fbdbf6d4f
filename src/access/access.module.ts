import { Global, Module } from '@nestjs/common';
import { OrgUnitRepository } from '../ledger/org-unit.repository.js';
import { AccessPolicy } from './access-policy.js';

/** The one access policy, available to every module (services ask it; none decide access themselves). */
@Global()
@Module({ providers: [AccessPolicy, OrgUnitRepository], exports: [AccessPolicy] })
export class AccessModule {}
