import type { EntityName } from '../dictionary/dictionary.types.js';
import type { OrgLevel } from './org-unit.repository.js';

/** A link a record keeps beside its dictionary fields (a visit's resident and grid worker): required, checked. */
export interface RecordLink {
  column: 'residentId' | 'staffId';
  kind: 'resident' | 'staff';
  /** The input field an error points at, and the link's name in messages. */
  input: string;
  label: string;
  /** How the caller names it, for "required" (公民身份号码, 工作人员编号). */
  by: string;
}

/** How one simple ledger record (staff, household, visit, business) is created and updated. */
export interface RecordSpec {
  entity: EntityName;
  label: string;
  /** The org unit the record belongs to, by input key and level. */
  orgUnit?: { key: 'gridCode' | 'orgUnitCode'; level?: OrgLevel };
  /** Unique constraints → which input field a duplicate is about, and what to say. */
  unique?: { match: RegExp; path: string; message: string }[];
  /** Links beside the dictionary fields. A record without an org unit belongs where its resident lives. */
  links?: RecordLink[];
}

// The simple ledger records and their rules beyond the dictionary (org unit, uniqueness, links).
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

export const VISIT: RecordSpec = {
  entity: 'visit',
  label: '走访记录',
  links: [
    { column: 'residentId', kind: 'resident', input: 'residentIdNumber', label: '走访对象', by: '公民身份号码' },
    { column: 'staffId', kind: 'staff', input: 'staffId', label: '走访人', by: '工作人员编号' },
  ],
};
