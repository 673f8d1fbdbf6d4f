import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadDefinitions } from '../../../src/common/definition/definitions.js';
import { DefinitionError } from '../../../src/common/errors/definition-error.js';
import { loadDictionary } from '../../../src/dictionary/dictionary.loader.js';
import { evaluateRules } from '../../../src/quality/quality-rules.js';
import { loadQualityRules } from '../../../src/quality/quality-rules.loader.js';
import { idNumber } from '../../support/fixtures.js';

const TEMPLATES = path.resolve(import.meta.dirname, '../../../templates');
const TODAY = '2026-06-15';
const dict = loadDictionary(TEMPLATES);

/** A copy of templates/ with rules.yaml rewritten. */
function withRules(edit: (text: string) => string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yibiaotong-rules-'));
  fs.cpSync(TEMPLATES, dir, { recursive: true });
  const file = path.join(dir, 'rules.yaml');
  fs.writeFileSync(file, edit(fs.readFileSync(file, 'utf8')));
  return dir;
}

/** What stops the start: the same loadDefinitions as main.ts, the CLI and the tests' app. */
async function failure(dir: string): Promise<DefinitionError> {
  try {
    await loadDefinitions(dir);
  } catch (e) {
    if (e instanceof DefinitionError) return e;
    throw e;
  }
  throw new Error('expected rules.yaml to be rejected');
}

describe('templates/rules.yaml', () => {
  const rules = loadQualityRules(TEMPLATES, dict);

  it('holds the starting rules, each with a severity, a Chinese message and a stable code', () => {
    expect(rules.map((r) => [r.id, r.severity])).toEqual([
      ['LIVING_ALONE_WITH_HOUSEHOLD', 'warning'],
      ['SUPPORTED_BUT_HAS_FAMILY', 'warning'],
      ['DISABILITY_GRADE_WITHOUT_CATEGORY', 'error'],
      ['DISCHARGE_BEFORE_ENLISTMENT', 'error'],
      ['PHONE_IN_OTHER_HOUSEHOLD', 'warning'],
      ['EMPLOYMENT_UNDER_16', 'warning'],
    ]);
    for (const r of rules) {
      expect(r.code).toBe(`RULE_${r.id}`);
      expect(r.message).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(rules.find((r) => r.id === 'PHONE_IN_OTHER_HOUSEHOLD')!.checks).toEqual(['phoneInOtherHousehold']);
    expect(rules.find((r) => r.id === 'EMPLOYMENT_UNDER_16')!.reads).toEqual(['idNumber', 'employmentStatus']);
  });

  it('evaluates record conditions, leaves cross-record rules out when their facts are unknown (the page)', () => {
    const child = { idNumber: idNumber('500106', '20100615', 2), employmentStatus: '2' }; // 16 on TODAY
    expect(evaluateRules(rules, child, null, TODAY)).toEqual([]);
    expect(evaluateRules(rules, child, null, '2026-06-14').map((f) => f.rule)).toEqual(['EMPLOYMENT_UNDER_16']);
    const alone = { livingArrangement: '1' };
    expect(evaluateRules(rules, alone, null, TODAY)).toEqual([]);
    expect(evaluateRules(rules, alone, { householdHasOtherMembers: true }, TODAY).map((f) => f.rule)).toEqual(['LIVING_ALONE_WITH_HOUSEHOLD']);
    expect(evaluateRules(rules, alone, { householdHasOtherMembers: false }, TODAY)).toEqual([]);
    expect(evaluateRules(rules, { enlistmentDate: '1970-03', dischargeDate: '1969-12' }, null, TODAY).map((f) => f.rule)).toEqual(['DISCHARGE_BEFORE_ENLISTMENT']);
    expect(evaluateRules(rules, { dischargeDate: '1969-12' }, null, TODAY)).toEqual([]);
  });

  it('takes a new or reworded rule from the file alone', () => {
    const dir = withRules((t) => `${t.replace('退役时间早于入伍时间，请核对这两个年月', '退役时间不能早于入伍时间')}
  - id: TALL_CHILD
    severity: warning
    message: 身高超过 200 cm 的儿童，请核对身高
    when:
      - { age: { lt: 12 } }
      - { field: heightCm, gte: 200 }
`);
    const changed = loadQualityRules(dir, dict);
    expect(changed.find((r) => r.id === 'DISCHARGE_BEFORE_ENLISTMENT')!.message).toBe('退役时间不能早于入伍时间');
    const tall = changed.find((r) => r.id === 'TALL_CHILD')!;
    expect(tall.fields).toEqual(['idNumber', 'heightCm']);
    const child = idNumber('500106', '20180615', 1);
    expect(evaluateRules([tall], { idNumber: child, heightCm: 210 }, null, TODAY).map((f) => f.code)).toEqual(['RULE_TALL_CHILD']);
    expect(evaluateRules([tall], { idNumber: child, heightCm: 120 }, null, TODAY)).toEqual([]);
  });

  it.each([
    ['a field the dictionary lacks', (t: string) => t.replace('{ field: livingArrangement, in: ["1"] }', '{ field: livingAlone, in: ["1"] }'), 'rules[0].when[0].field', '字段 "livingAlone" 不在字段字典'],
    ['a code outside the list', (t: string) => t.replace('{ field: maritalStatus, in: ["20", "21", "22", "23"] }', '{ field: maritalStatus, in: ["20", "25"] }'), 'rules[1].when[1].any[1].in[1]', '代码 "25" 不在代码表 marital-status'],
    ['an unknown severity', (t: string) => t.replace('severity: error', 'severity: fatal'), 'rules[2].severity', '"fatal" 不是可用的值'],
    ['a repeated id', (t: string) => t.replace('id: EMPLOYMENT_UNDER_16', 'id: PHONE_IN_OTHER_HOUSEHOLD'), 'rules[5].id', '重复'],
    ['an unknown check', (t: string) => t.replace('{ check: phoneInOtherHousehold }', '{ check: phoneTwice }'), 'rules[4].when[1].check', '"phoneTwice" 不是可用的值'],
    ['a typo in a key', (t: string) => t.replace('    fields: [phone]', '    feilds: [phone]'), 'rules[4].feilds', '未知的键 "feilds"'],
    ['a comparison on a code field', (t: string) => t.replace('{ field: childrenCount, gt: 0 }', '{ field: maritalStatus, gt: 0 }'), 'rules[1].when[1].any[0]', '只能用于数值字段'],
    ['before across types', (t: string) => t.replace('{ field: dischargeDate, before: enlistmentDate }', '{ field: dischargeDate, before: registeredOn }'), 'rules[3].when[0].before', '同为日期或同为年月'],
    ['a field of another record', (t: string) => t.replace('fields: [phone]', 'fields: [staffPhone]'), 'rules[4].fields[0]', '属于 staff'],
    ['a condition that is two at once', (t: string) => t.replace('{ check: householdHasOtherMembers }', '{ check: householdHasOtherMembers, field: phone }'), 'rules[0].when[1]', '须且只须'],
  ])('stops the start on %s, with file, path and reason', async (_what, edit, at, reason) => {
    const e = await failure(withRules(edit));
    expect(e.file).toMatch(/rules\.yaml$/);
    expect(e.at).toBe(at);
    expect(e.reason).toContain(reason);
    expect(e.message).toContain(`rules.yaml 中 ${at}：`);
  });

  it('stops the start on a file that is not YAML', async () => {
    const e = await failure(withRules((t) => `${t}\n  - { id: X, when: [ }`));
    expect(e.file).toMatch(/rules\.yaml$/);
    expect(e.reason).toMatch(/^不是有效的 YAML/);
  });
});
