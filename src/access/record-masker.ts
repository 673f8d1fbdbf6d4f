import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { DICTIONARY } from '../dictionary/dictionary.module.js';
import type { Dictionary } from '../dictionary/dictionary.types.js';
import { type MaskKind, maskValue } from './masking.js';
import type { Viewer } from './viewer.js';

/** Which dictionary field types hold ID numbers or phone numbers. */
export function maskKindOfType(type: string | undefined): MaskKind | null {
  return type === 'idNumber' ? 'idNumber' : type === 'phone' ? 'phone' : null;
}

/**
 * Whole records (a conflict's current values, say) through the masking rule: masked for a viewer not entitled
 * to full values, otherwise returned whole and the reveal audited.
 */
@Injectable()
export class RecordMasker {
  private readonly kinds: Map<string, MaskKind>;

  constructor(
    @Inject(DICTIONARY) dictionary: Dictionary,
    private readonly audit: AuditService,
  ) {
    this.kinds = new Map(dictionary.fields.flatMap((f) => {
      const kind = maskKindOfType(f.type);
      return kind ? [[f.key, kind] as const] : [];
    }));
  }

  async record<T extends Record<string, unknown>>(viewer: Viewer, row: T, entity: string): Promise<T> {
    const fields = Object.keys(row).filter((k) => this.kinds.has(k) && row[k]);
    if (fields.length === 0) return row;
    if (viewer.fullValues) {
      await this.audit.recordAccess(viewer, 'reveal', { entity, recordId: typeof row.id === 'number' ? row.id : undefined, filter: { fields }, rowCount: 1 });
      return row;
    }
    return { ...row, ...Object.fromEntries(fields.map((k) => [k, maskValue(this.kinds.get(k)!, row[k])])) };
  }
}
