import { DomainError } from '../../common/errors/domain-errors.js';

/** The reasons a resident leaves the ledger (templates/code-lists/deregistration-reason.yaml). */
export const DEREGISTRATION_REASONS = { movedAway: '1', deceased: '2', other: '9' } as const;

/** The resident has left the ledger: deregistering again, editing or moving them waits for a restore. */
export class AlreadyDeregisteredError extends DomainError {
  readonly code = 'ALREADY_DEREGISTERED';
  constructor(left: string) {
    super(`该居民已于 ${left}，不能再注销、修改或迁移；如系误操作，请先恢复`);
  }
}

/** A restore of a resident who is on the ledger: nothing to undo. */
export class NotDeregisteredError extends DomainError {
  readonly code = 'NOT_DEREGISTERED';
  constructor() {
    super('该居民在册，没有注销，无需恢复');
  }
}

/** Registering an ID number whose person died: never brought back by a registration (a mistake is restored instead). */
export class ResidentDeceasedError extends DomainError {
  readonly code = 'RESIDENT_DECEASED';
  constructor(readonly path: (string | number)[]) {
    super('该公民身份号码的居民已因死亡注销，不能重新登记；如系误报死亡，请由注销的社区恢复');
  }
  override details() {
    return { path: this.path };
  }
}
