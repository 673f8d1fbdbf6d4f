import { validateRecord } from '../../../src/dictionary/field-validator.js';
import type { Dictionary, EntityName } from '../../../src/dictionary/dictionary.types.js';
import { importPlan, readOptionsFor, reverseRow } from '../../../src/import/mapping/index.js';
import { readLedgerFile, type SourceRow } from '../../../src/import/reader/index.js';
import type { TemplateDef } from '../../../src/templates/template.types.js';
import { formatRow } from '../../../src/views/row-formatter.js';
import { creditCode, idNumber } from '../../support/fixtures.js';
import { exportLedger, type LedgerRecord, rawViewRow } from './support/exported-ledger.js';
import { definitionsOnce } from './support/xlsx-files.js';

// reverseRow is the inverse of formatRow: each form's rows, written by the real export (formatRow and the
// department's layout) and read back by readLedgerFile, give back the canonical values they were made from.
const REF = '2026-11-25';
const MAN = idNumber('500106', '19440305', 11); // born 1944-03-05, male
const WOMAN = idNumber('500106', '19520917', 24);
const VETERAN = idNumber('500113', '19521230', 31);

const RECORDS: Record<string, LedgerRecord[]> = {
  F01: [
    {
      fields: {
        idNumber: MAN, name: '张大爷', phone: '023-65123456', currentAddress: '桥北路12号3-1', healthStatus: '2', emergencyContactName: '张小明',
        emergencyContactRelation: '1', emergencyContactPhone: '13800138001', oldAgeAllowance: true, minimumLivingAllowance: false,
        extremePovertySupport: false, remarks: '=独居，邻居照应',
      },
      gridName: '第一网格',
      latestVisit: '2026-10-01',
    },
    { fields: { idNumber: WOMAN, name: '李婆婆', currentAddress: '桥北路1号', oldAgeAllowance: false, minimumLivingAllowance: true, extremePovertySupport: true }, gridName: '第二网格' },
  ],
  F02: [
    {
      fields: {
        idNumber: WOMAN, name: '李婆婆', hukouAddress: '重庆市沙坪坝区陈家桥街道', currentAddress: '桥北路1号', maritalStatus: '30', childrenCount: 0,
        supportMode: '2', monthlySupportAmount: 520.5, phone: '13800138002', remarks: '子女均已去世',
      },
      related: { liaisonStaffName: '李升俊', liaisonStaffPhone: '13800000002' },
    },
  ],
  F03: [
    {
      fields: {
        idNumber: MAN, name: '张大爷', wanderingReason: '1', heightCm: 165, bodyType: '2', physicalFeatures: '左眉有痣', antiWanderingDevice: '1',
        guardianName: '张小明', guardianRelation: '1', guardianPhone: '13800138001', currentAddress: '桥北路12号3-1', photoCollected: true, remarks: '',
      },
      gridName: '第一网格',
    },
  ],
  F04: [
    {
      fields: { visitDate: '2026-11-03', visitMethod: '1', physicalCondition: '良好', livingCondition: '能自理', problemsFound: '燃气灶老化', disposition: '2', visitRemarks: '已通知子女' },
      related: { residentName: '张大爷', visitorName: '夏雪' },
      gridName: '第一网格',
      keyGroups: [1, 0, 1],
    },
  ],
  F05: [
    {
      fields: {
        idNumber: WOMAN, name: '李婆婆', ethnicity: '15', disabilityCategory: '4', disabilityGrade: '2', hukouNature: '3', employmentStatus: '3',
        disabilityLivingSubsidy: true, severeDisabilityCareSubsidy: true, phone: '13800138002', currentAddress: '桥北路1号', remarks: '轮椅',
      },
      gridName: '第二网格',
    },
  ],
  F06: [
    {
      fields: {
        idNumber: VETERAN, name: '王老兵', ethnicity: '01', politicalStatus: '01', enlistmentDate: '1970-12', dischargeDate: '1976-03', dischargeMethod: '3',
        entitledGroup: '3', employer: '', phone: '13800138003', currentAddress: '花溪街道屏都小区5栋',
      },
    },
  ],
  F07: [
    {
      fields: {
        idNumber: idNumber('510104', '19900101', 13), name: '赵流动', hukouAddress: '四川省成都市锦江区', currentAddress: '桥北路8号2-3', arrivalDate: '2025-06-01',
        residenceReason: '1', residencePermit: true, dwellingType: '2', landlordName: '钱房东', landlordPhone: '13800138004', phone: '13800138005', registeredOn: '2025-06-15',
      },
      gridName: '第一网格',
    },
  ],
  F08: [
    {
      fields: { businessName: '桥北小面馆', creditCode: creditCode('91500106MA5U7G3L1'), businessCategory: '1', businessAddress: '桥北路3号', operatingMode: '1', employeeCount: 3, frontDoorPledgeSigned: false, businessRemarks: '' },
      related: { operatorName: '张小明', operatorIdNumber: idNumber('500106', '19700101', 15), operatorPhone: '13800138001' },
      gridName: '第一网格',
    },
  ],
};

/** What reverseRow should give for a record: its own fields (blank ones absent), the reference, the lookups. */
function expected(def: TemplateDef, dict: Dictionary, rec: LedgerRecord) {
  const values: Record<string, unknown> = {};
  const related: Record<string, Record<string, unknown>> = {};
  for (const step of importPlan(def, dict).steps) {
    if (step.kind === 'value') {
      const v = rec.fields[step.field.key];
      // An unfilled 是/否 is written empty (no template here names a word for nothing), so it reads back as nothing.
      if (v !== undefined && v !== null && v !== '') values[step.field.key] = v;
    } else if (step.kind === 'reference') values[step.into] = rec.related![step.column.key];
    else if (step.kind === 'lookup') (related[step.relation] ??= {})[step.field.key] = rec.related![step.column.key];
  }
  return { values, lookups: { ...(rec.gridName ? { gridName: rec.gridName } : {}), related } };
}

const ENTITIES: Record<string, EntityName[]> = { resident: ['resident', 'household'], visit: ['visit'], business: ['business'] };

describe.each(Object.keys(RECORDS))('%s', (code) => {
  let def: TemplateDef;
  let dict: Dictionary;
  beforeAll(async () => {
    const defs = await definitionsOnce();
    def = defs.templates.find((t) => t.code === code)!.def;
    dict = defs.dictionary;
  });

  test('exported by the application, read back: the canonical values, no checks, no errors', async () => {
    const bytes = await exportLedger(def, dict, RECORDS[code], REF);
    const read = await readLedgerFile(bytes, def.columns, readOptionsFor(def, dict));
    expect(read.info).toMatchObject({ unit: '桥北社区', date: REF });
    expect(read.rows).toHaveLength(RECORDS[code].length);
    read.rows.forEach((row, i) => {
      const back = reverseRow(def, dict, row, { referenceDate: REF });
      expect(back).toEqual({ ...expected(def, dict, RECORDS[code][i]), checks: [], errors: [] });
      // …and they are what validateRecord takes (a visit and a business name their resident elsewhere).
      if (def.rows.kind === 'rows') {
        const v = validateRecord(dict, ENTITIES[def.rows.entity], { ...importPlan(def, dict).implied, ...back.values }, null, REF);
        expect(v.errors.filter((e) => e.code !== 'REQUIRED')).toEqual([]);
      }
    });
  });

  test('formatRow’s values taken directly as cells (no file): the same', () => {
    RECORDS[code].forEach((rec, i) => {
      const cells = formatRow(def.columns, dict, rawViewRow(def, dict, rec), { rowNumber: i + 1, referenceDate: REF });
      const row: SourceRow = {
        row: 5 + i,
        problems: [],
        cells: Object.fromEntries(def.columns.map((c, k) => [c.key, { value: (cells[k] ?? null) as string | number | null, text: cells[k] === null || cells[k] === undefined ? '' : String(cells[k]).trim(), column: k + 1 }])),
      };
      expect(reverseRow(def, dict, row, { referenceDate: REF })).toEqual({ ...expected(def, dict, rec), checks: [], errors: [] });
    });
  });
});

test('what a form’s row filter says of every row is given once per form', async () => {
  const defs = await definitionsOnce();
  const implied = (code: string) => importPlan(defs.templates.find((t) => t.code === code)!.def, defs.dictionary).implied;
  expect(implied('F01')).toEqual({ livingArrangement: '1' });
  expect(implied('F02')).toEqual({ childrenCount: 0 }); // 婚姻状况 is one of three: not implied
  expect(implied('F03')).toEqual({ proneToWandering: true });
  expect(implied('F07')).toEqual({ registrationType: '2' });
  expect(implied('F08')).toEqual({});
});

test('a summary form (F09) cannot be imported', async () => {
  const defs = await definitionsOnce();
  const f09 = defs.templates.find((t) => t.code === 'F09')!.def;
  expect(importPlan(f09, defs.dictionary).importable).toBe(false);
  expect(() => reverseRow(f09, defs.dictionary, { row: 5, cells: {}, problems: [] }, { referenceDate: REF })).toThrow('汇总表');
});
