import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Viewer } from '../access/viewer.js';
import { ConflictError } from '../common/errors/domain-errors.js';
import type { Values } from '../dictionary/field-validator.js';
import { type RecordChange, RecordCommands } from '../ledger/commands/record.commands.js';
import { type ResidentChange, ResidentCommands } from '../ledger/commands/resident.commands.js';
import { BUSINESS, type RecordSpec, VISIT } from '../ledger/ledger-records.js';
import type { ConflictChoice, RowPlan, WriteOp } from './import.types.js';
import type { LedgerSnapshot } from './ledger-snapshot.js';

/** A row's operation with what it writes (the file's values for conflicts when taken) and where it came from. */
type Write<E extends WriteOp['entity']> = { op: Extract<WriteOp, { entity: E }>; values: Values; path: (string | number)[] };

/**
 * Carries out an import's row plans inside the commit's transaction, through the ledger's one write path
 * (ResidentCommands, RecordCommands): creates, fills, and for conflicts the user's choice (keep the ledger's value
 * or take the file's). Every change is audited with source "import" in the same transaction. A record changed by
 * someone else since the snapshot stops the whole import (nothing half-written).
 */
@Injectable()
export class ImportWriter {
  constructor(
    private readonly residents: ResidentCommands,
    private readonly records: RecordCommands,
  ) {}

  /** Applies the plans' operations; returns how many rows changed the ledger. */
  async apply(manager: EntityManager, viewer: Viewer, snapshot: LedgerSnapshot, plans: RowPlan[], choice: ConflictChoice, today: string, onProgress?: (rows: number) => void): Promise<number> {
    const writes = plans.flatMap((p) => {
      if (!p.op) return [];
      const values = choice === 'take' ? { ...p.op.values, ...p.op.conflicts } : p.op.values;
      // A row whose only news were conflicts kept as the ledger has them changes nothing.
      return Object.keys(values).length === 0 && p.op.id !== null ? [] : [{ op: p.op, values, path: ['rows', p.outcome.row] }];
    });
    const of = <E extends WriteOp['entity']>(entity: E) => writes.filter((w): w is Write<E> => w.op.entity === entity);
    let done = 0;
    const options = { today, onProgress: (n: number) => onProgress?.(done + n) };

    await this.saveResidents(manager, viewer, of('resident').map(({ op, values, path }): ResidentChange => {
      const { gridCode: moveTo, ...fields } = values as Values & { gridCode?: string };
      return { idNumber: op.idNumber, expectedVersion: op.version, gridCode: op.id === null ? op.gridCode : moveTo, fields, path };
    }), options);
    done += of('resident').length;

    const businesses = of('business');
    await this.registerOperators(manager, viewer, snapshot, businesses, options);
    await this.saveRecords(manager, viewer, BUSINESS, businesses.map(({ op, values, path }): RecordChange => ({
      id: op.id, expectedVersion: op.version, fields: op.id === null && op.gridCode ? { ...values, gridCode: op.gridCode } : values, path,
    })), options);
    done += businesses.length;

    await this.saveRecords(manager, viewer, VISIT, of('visit').map(({ op, values, path }): RecordChange => ({
      id: op.id, expectedVersion: op.version, fields: values, links: { residentId: op.residentId, staffId: op.staffId }, path,
    })), options);
    return writes.length;
  }

  /**
   * A business's operator the ledger lacks, registered with what the row says (name and phone, in the business's
   * grid) and nothing invented: no address, so no household yet.
   */
  private async registerOperators(manager: EntityManager, viewer: Viewer, snapshot: LedgerSnapshot, writes: Write<'business'>[], options: { today: string }): Promise<void> {
    const missing = new Map<string, ResidentChange>();
    for (const { op, values, path } of writes) {
      const operator = op.operator;
      if (!operator || snapshot.residents.has(operator.idNumber) || missing.has(operator.idNumber)) continue;
      if (values.operator === undefined && op.id !== null) continue; // not linked by this row
      missing.set(operator.idNumber, { idNumber: operator.idNumber, gridCode: op.gridCode, fields: { name: operator.name, phone: operator.phone }, withoutAddress: true, path: [...path, 'operator'] });
    }
    await this.saveResidents(manager, viewer, [...missing.values()], { today: options.today });
  }

  private async saveResidents(manager: EntityManager, viewer: Viewer, changes: ResidentChange[], options: { today: string; onProgress?: (n: number) => void }): Promise<void> {
    try {
      await this.residents.save(manager, viewer, changes, options);
    } catch (e) {
      // The import never showed the other editor's values: only that it must be previewed again.
      if (e instanceof ConflictError) throw new ConflictError(`居民 ${e.current?.name ?? ''}（导入期间已被他人修改，请重新上传预览）`, e.currentVersion, e.expectedVersion);
      throw e;
    }
  }

  private async saveRecords(manager: EntityManager, viewer: Viewer, spec: RecordSpec, changes: RecordChange[], options: { today: string; onProgress?: (n: number) => void }): Promise<void> {
    try {
      await this.records.save(manager, viewer, spec, changes, options);
    } catch (e) {
      if (e instanceof ConflictError) throw new ConflictError(`导入期间该${spec.label}已被他人修改，请重新上传预览`, e.currentVersion, e.expectedVersion);
      throw e;
    }
  }
}
