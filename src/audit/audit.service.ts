import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { scrubDeep } from '../access/masking.js';
import type { Viewer } from '../access/viewer.js';
import { DICTIONARY } from '../dictionary/dictionary.module.js';
import type { Dictionary } from '../dictionary/dictionary.types.js';
import { type AuditEntry, type AuditQuery, type AuditRecord, AuditRepository } from './audit.repository.js';

/** Who did it, as the log records it (a failed login may name no account). */
export type Actor = Pick<Viewer, 'accountId' | 'username' | 'requestId' | 'source'> & { role: string };

export type FieldChange = { field: string; before: unknown; after: unknown };

/** Facts a change records that are not dictionary fields. */
const OTHER_LABELS: Record<string, string> = { gridCode: '所属网格', restoreReason: '恢复原因' };

/** Keys that are bookkeeping, not facts: never part of a change record. */
const BOOKKEEPING = new Set(['id', 'version', 'createdAt', 'updatedAt', 'age', 'gender', 'birthDate', 'householdId']);

const normal = (v: unknown) => (v === undefined || v === '' ? null : v instanceof Date ? v.toISOString() : v);

/** 1 and true, '1200.50' and 1200.5: the same fact as the two databases return it. */
function sameFact(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  const numeric = (v: unknown) => typeof v === 'number' || typeof v === 'boolean';
  return numeric(a) || numeric(b) ? Number(a) === Number(b) : String(a) === String(b);
}

/** Each field whose value differs between two versions of a record (either may be absent: create, delete). */
export function fieldChanges(before: Record<string, unknown> | null, after: Record<string, unknown> | null): FieldChange[] {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  const changes: FieldChange[] = [];
  for (const field of keys) {
    if (BOOKKEEPING.has(field)) continue;
    const [b, a] = [normal(before?.[field]), normal(after?.[field])];
    if (!sameFact(b, a)) changes.push({ field, before: b, after: a });
  }
  return changes;
}

/**
 * The audit log: every change (in the transaction that makes it), every reveal of a full ID or phone number, every
 * export, import and login. Who, when, from where (form, import, API), the request id, each field before and after.
 */
@Injectable()
export class AuditService {
  constructor(
    private readonly repository: AuditRepository,
    @Inject(DICTIONARY) private readonly dictionary: Dictionary,
  ) {}

  private entry(viewer: Actor, action: string, rest: Partial<AuditEntry>): AuditEntry {
    return {
      accountId: viewer.accountId, username: viewer.username, role: viewer.role, source: viewer.source, requestId: viewer.requestId,
      action, entity: null, recordId: null, changes: null, filter: null, rowCount: null, ...rest,
    };
  }

  /** A change to one record, written with `manager` so it commits or rolls back with the change itself. */
  async recordChange(manager: EntityManager, viewer: Viewer, entity: string, recordId: number, before: Record<string, unknown> | null, after: Record<string, unknown> | null): Promise<void> {
    const changes = fieldChanges(before, after);
    if (before && after && changes.length === 0) return;
    const action = !before ? 'create' : !after ? 'delete' : 'update';
    await this.repository.append([this.entry(viewer, action, { entity, recordId, changes })], manager);
  }

  /**
   * Many changes at once (an import's creates), in the caller's transaction. A change may name its action
   * (`deregister`, `restore`, `transfer`, `reactivate`); otherwise create, update or delete.
   */
  async recordChanges(manager: EntityManager, viewer: Viewer, entity: string, changes: { recordId: number; before: Record<string, unknown> | null; after: Record<string, unknown> | null; action?: string }[]): Promise<void> {
    const entries = changes.flatMap(({ recordId, before, after, action }) => {
      const fields = fieldChanges(before, after);
      if (before && after && fields.length === 0) return [];
      return [this.entry(viewer, action ?? (!before ? 'create' : !after ? 'delete' : 'update'), { entity, recordId, changes: fields })];
    });
    await this.repository.append(entries, manager);
  }

  /**
   * A read of full values, an export, an import, a login: what was asked (ID and phone numbers masked) and how many
   * rows. `facts` join the filter unscrubbed: values that are never personal data (a file's SHA-256, whose hex digits
   * the phone pattern could otherwise mangle).
   */
  async recordAccess(viewer: Actor, action: string, detail: { entity?: string; recordId?: number; filter?: Record<string, unknown>; facts?: Record<string, string | number | null>; rowCount?: number } = {}, manager?: EntityManager): Promise<void> {
    const scrubbed = detail.filter ? (scrubDeep(detail.filter) as Record<string, unknown>) : null;
    const filter = detail.facts ? { ...scrubbed, ...detail.facts } : scrubbed;
    await this.repository.append([this.entry(viewer, action, { entity: detail.entity ?? null, recordId: detail.recordId ?? null, filter, rowCount: detail.rowCount ?? null })], manager);
  }

  find(query: AuditQuery): Promise<AuditRecord[]> {
    return this.repository.find(query);
  }

  /** Entries as the API shows them: each change with its field's Chinese label. */
  described(records: AuditRecord[]) {
    return records.map((r) => ({ ...r, changes: r.changes?.map((c) => ({ ...c, label: this.label(c.field) })) ?? null }));
  }

  label(field: string): string {
    return this.dictionary.byKey.get(field)?.label ?? OTHER_LABELS[field] ?? field;
  }
}
