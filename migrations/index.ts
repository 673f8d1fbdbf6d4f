import { CreateLedger1764057600000 } from './1764057600000-create-ledger.js';
import { FormFilterIndexes1764072000000 } from './1764072000000-form-filter-indexes.js';
import { AccountsAndAudit1764300000000 } from './1764300000000-accounts-and-audit.js';
import { Imports1764400000000 } from './1764400000000-imports.js';
import { AuditChain1764500000000 } from './1764500000000-audit-chain.js';
import { IdempotencyKeys1764510000000 } from './1764510000000-idempotency-keys.js';
import { ResidentStatus1764600000000 } from './1764600000000-resident-status.js';
import { Reports1764700000000 } from './1764700000000-reports.js';
import { LoginThrottle1764800000000 } from './1764800000000-login-throttle.js';
import { ResidentPhoneIndex1764900000000 } from './1764900000000-resident-phone-index.js';
import { DictionaryChanges1765300000000 } from './1765300000000-dictionary-changes.js';
import { FamilyDoctor1765400000000 } from './1765400000000-family-doctor.js';
import { FormOrderIndex1765700000000 } from './1765700000000-form-order-index.js';
import { FeedsAndWebhooks1765800000000 } from './1765800000000-feeds-and-webhooks.js';
import { SharedServerState1765900000000 } from './1765900000000-shared-server-state.js';
import { SummaryCountIndexes1766000000000 } from './1766000000000-summary-count-indexes.js';
import { GridVersions1766100000000 } from './1766100000000-grid-versions.js';
import { DisabilityOrderIndex1766200000000 } from './1766200000000-disability-order-index.js';

// Every migration, in order. Imported explicitly (no glob) so the app, the tests and the CLI load the same list.
export const MIGRATIONS: Function[] = [CreateLedger1764057600000, FormFilterIndexes1764072000000, AccountsAndAudit1764300000000, Imports1764400000000, AuditChain1764500000000, IdempotencyKeys1764510000000, ResidentStatus1764600000000, Reports1764700000000, LoginThrottle1764800000000, ResidentPhoneIndex1764900000000, DictionaryChanges1765300000000, FamilyDoctor1765400000000, FormOrderIndex1765700000000, FeedsAndWebhooks1765800000000, SharedServerState1765900000000, SummaryCountIndexes1766000000000, GridVersions1766100000000, DisabilityOrderIndex1766200000000];
