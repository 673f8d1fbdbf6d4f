import type { EntityManager } from 'typeorm';
import { ENTITY_NAMES, type LedgerRow } from './entities/ledger.entities.js';
import type { RecordSpec } from './record.service.js';

// The simple ledger records and their rules beyond the dictionary (org unit, uniqueness, who may reach them).
export const STAFF: RecordSpec = { entity: 'staff', label: '工作人员', orgUnit: { key: 'orgUnitCode' } };

export const HOUSEHOLD: RecordSpec = {
  entity: 'household',
  label: '户',
  orgUnit: { key: 'gridCode', level: 'grid' },
  unique: [{ match: /grid_address|households\.grid_code/, path: 'currentAddress', message: '该网格内已有此地址的户，请直接使用该户' }],
};

export const BUSINESS: RecordSpec = {
  entity: 'business',
  label: '商户',
  orgUnit: { key: 'gridCode', level: 'grid' },
  unique: [{ match: /credit_code/, path: 'creditCode', message: '该统一社会信用代码已登记为另一商户' }],
};

/** A visit belongs where its resident lives. */
export const VISIT: RecordSpec = {
  entity: 'visit',
  label: '走访记录',
  scopeOf: async (row: LedgerRow, manager: EntityManager) =>
    ((await manager.getRepository<LedgerRow>(ENTITY_NAMES.resident).findOne({ where: { id: row.residentId } }))?.gridCode as string) ?? null,
};
