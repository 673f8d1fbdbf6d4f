import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadDefinitions } from '../../../src/common/definition/definitions.js';
import { DefinitionError } from '../../../src/common/errors/definition-error.js';
import { loadDictionary } from '../../../src/dictionary/dictionary.loader.js';

const TEMPLATES = path.resolve(import.meta.dirname, '../../../templates');

/** A copy of templates/ with one file rewritten. */
function brokenCopy(file: string, edit: (text: string) => string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yibiaotong-defs-'));
  fs.cpSync(TEMPLATES, dir, { recursive: true });
  const target = path.join(dir, file);
  fs.writeFileSync(target, edit(fs.readFileSync(target, 'utf8')));
  return dir;
}

async function failure(dir: string): Promise<DefinitionError> {
  try {
    await loadDefinitions(dir);
  } catch (e) {
    if (e instanceof DefinitionError) return e;
    throw e;
  }
  throw new Error('expected the definitions to be rejected');
}

describe('the field dictionary', () => {
  const dict = loadDictionary(TEMPLATES);

  it('lists every canonical field once, each with label, type, entity and sensitivity', () => {
    expect(new Set(dict.fields.map((f) => f.key)).size).toBe(dict.fields.length);
    for (const f of dict.fields) {
      expect(f.label).toMatch(/[\u4e00-\u9fff]/);
      expect(['ordinary', 'personal', 'sensitive']).toContain(f.sensitivity);
    }
  });

  it('carries the national code lists with their standard codes', () => {
    const names = (key: string) => dict.codeLists.get(key)!.items.map((i) => `${i.code} ${i.name}`);
    expect(names('gender')).toEqual(expect.arrayContaining(['1 男', '2 女']));
    expect(names('marital-status')).toEqual(expect.arrayContaining(['10 未婚', '20 已婚', '30 丧偶', '40 离婚']));
    const ethnic = dict.codeLists.get('ethnic-group')!.items;
    expect(ethnic).toHaveLength(56);
    expect(ethnic[0]).toEqual({ code: '01', name: '汉族' });
    expect(ethnic[55]).toEqual({ code: '56', name: '基诺族' });
    expect(names('political-status')).toEqual(expect.arrayContaining(['01 中共党员', '12 无党派人士', '13 群众']));
    expect(dict.codeLists.get('political-status')!.items).toHaveLength(13);
    expect(names('health-status')).toEqual(['1 健康', '2 基本健康', '3 不健康但生活能自理', '4 生活不能自理']);
    expect(names('disability-category')).toEqual(['1 视力', '2 听力', '3 言语', '4 肢体', '5 智力', '6 精神', '7 多重']);
    expect(names('disability-grade')).toEqual(['1 一级', '2 二级', '3 三级', '4 四级']);
  });

  it('marks birth date and sex as facts of the ID number, stored nowhere', () => {
    for (const key of ['gender', 'birthDate']) {
      expect(dict.byKey.get(key)).toMatchObject({ derivedFrom: 'idNumber' });
      expect(dict.byKey.get(key)!.column).toBeUndefined();
    }
  });

  it('keeps the deregistration fields read-only: stored, but never a required field', async () => {
    for (const key of ['deregisteredOn', 'deregistrationReason', 'deregistrationDestination', 'deregistrationNote']) {
      expect(dict.byKey.get(key)).toMatchObject({ entity: 'resident', readOnly: true, required: false });
    }
    const e = await failure(brokenCopy('dictionary.yaml', (t) => t.replace('type: code, codeList: deregistration-reason, readOnly: true,', 'type: code, codeList: deregistration-reason, readOnly: true, required: true,')));
    expect(e.reason).toContain('只读字段不能是必填字段');
  });

  it('stops on a field with an unknown code list, naming file, path and reason', async () => {
    const e = await failure(brokenCopy('dictionary.yaml', (t) => t.replace('codeList: ethnic-group', 'codeList: ethnic-groups')));
    expect(e.file).toMatch(/dictionary\.yaml$/);
    expect(e.at).toMatch(/^fields\[\d+\]\.codeList$/);
    expect(e.reason).toContain('ethnic-groups');
  });

  it('stops on a field defined twice', async () => {
    const e = await failure(brokenCopy('dictionary.yaml', (t) => t.replace('{ key: employer,', '{ key: phone,')));
    expect(e.reason).toContain('"phone" 重复定义');
  });

  it('carries header aliases, and stops on one wording given to two fields of the same record', async () => {
    expect(dict.byKey.get('idNumber')!.aliases).toEqual(expect.arrayContaining(['身份证号', '身份证号码']));
    expect(dict.byKey.get('phone')!.aliases).toEqual(expect.arrayContaining(['联系方式', '手机号码']));
    // A staff member's phone may be called 电话 too: another record.
    expect(dict.byKey.get('staffPhone')!.aliases).toContain('电话');
    const twice = await failure(brokenCopy('dictionary.yaml', (t) => t.replace('aliases: [子女人数]', 'aliases: [子女人数, 手机号码]')));
    expect(twice.at).toMatch(/^fields\[\d+\]\.aliases\[1\]$/);
    expect(twice.reason).toBe('别名 "手机号码" 已是字段 "phone" 的别名：同一说法只能指一个字段');
    const label = await failure(brokenCopy('dictionary.yaml', (t) => t.replace('aliases: [子女人数]', 'aliases: [联系电话]')));
    expect(label.reason).toContain('已是字段 "phone" 的名称');
    const empty = await failure(brokenCopy('dictionary.yaml', (t) => t.replace('aliases: [子女人数]', 'aliases: [""]')));
    expect(empty.reason).toBe('别名应为非空文本');
  });

  it('stops on a typo in a key', async () => {
    const e = await failure(brokenCopy('dictionary.yaml', (t) => t.replace('maxLength: 50, sensitivity: personal }', 'maxLenght: 50, sensitivity: personal }')));
    expect(e.reason).toContain('未知的键 "maxLenght"');
  });

  it('stops on a rule that names a code outside the list', async () => {
    const e = await failure(brokenCopy('dictionary.yaml', (t) => t.replace('onlyWhen: { field: dwellingType, in: ["2"] } }', 'onlyWhen: { field: dwellingType, in: ["7"] } }')));
    expect(e.at).toMatch(/onlyWhen\.in$/);
  });

  it('stops on a code list with a repeated code', async () => {
    const e = await failure(brokenCopy('code-lists/gender.yaml', (t) => t.replace('code: "9"', 'code: "1"')));
    expect(e.file).toMatch(/gender\.yaml$/);
    expect(e.reason).toBe('代码重复');
  });

  it('stops on a template whose header disagrees with the blank form', async () => {
    const e = await failure(brokenCopy('F01.yaml', (t) => t.replace('{ key: phone, field: phone }', '{ key: phone, header: 手机, field: phone }')));
    expect(e.at).toBe('columns[6].header');
    expect(e.reason).toBe('与部门表样的表头不一致：表样为"联系电话"，模板为"手机"');
  });

  it('stops on a template with a column the blank form does not have', async () => {
    const e = await failure(brokenCopy('F02.yaml', (t) => `${t.trimEnd()}\n  - { key: extra, field: phone }\n`));
    expect(e.at).toBe('columns');
    expect(e.reason).toMatch(/部门表样有 15 列，模板有 16 列/);
  });

  it('stops on invalid YAML', async () => {
    const e = await failure(brokenCopy('code-lists/gender.yaml', (t) => `${t}\n  - { code: "5", name: [ }`));
    expect(e.reason).toMatch(/^不是有效的 YAML/);
  });

  it('stops on a template that shows a field the dictionary does not have', async () => {
    const e = await failure(brokenCopy('F03.yaml', (t) => t.replace('field: heightCm', 'field: heightInCm')));
    expect(e.file).toMatch(/F03\.yaml$/);
    expect(e.at).toMatch(/^columns\[\d+\]\.field$/);
    expect(e.reason).toContain('heightInCm');
  });
});

describe('the department templates', () => {
  let templates: Awaited<ReturnType<typeof loadDefinitions>>['templates'];
  let byCode: Map<string, (typeof templates)[number]>;
  beforeAll(async () => {
    templates = (await loadDefinitions(TEMPLATES)).templates;
    byCode = new Map(templates.map((t) => [t.code, t]));
  });

  it('are F01–F09 in the house layout and V01–V03 in the departments\' own', () => {
    expect(templates.map((t) => t.code)).toEqual(['F01', 'F02', 'F03', 'F04', 'F05', 'F06', 'F07', 'F08', 'F09', 'V01', 'V02', 'V03']);
  });

  it('read their title, headers and layout from the department\'s blank form', () => {
    const f01 = byCode.get('F01')!.def;
    expect(f01.title).toBe('{street}{community}独居老人信息台账');
    expect(f01.columns.map((c) => c.header.join('／')).slice(8, 13)).toEqual(['健康状况', '紧急联系人／姓名', '紧急联系人／与本人关系', '紧急联系人／联系电话', '享受待遇／高龄津贴']);
    expect(f01.layout).toMatchObject({ headerRows: [3, 4], infoRow: 2, frozenRows: 4, footer: { row: 16 } });
    expect(f01.layout!.merges).toEqual(expect.arrayContaining(['A1:R1', 'J3:L3', 'M3:O3']));
    expect(f01.layout!.pageSetup).toMatchObject({ orientation: 'landscape', fitToWidth: 1, printTitlesRow: '3:4' });
    expect(byCode.get('F04')!.def.title).toBe('{street}{community}重点人群走访记录表（{year}年{month}月）');
    expect(byCode.get('F09')!.def.title).toBe('{street}各社区重点人群统计汇总表（截至{year}年{month}月{day}日）');
  });

  it('know which canonical fields feed them, including row filters and forms they count', () => {
    expect(byCode.get('F01')!.fields).toEqual(expect.arrayContaining(['livingArrangement', 'birthDate', 'phone', 'oldAgeAllowance']));
    expect(byCode.get('F08')!.fields).toEqual(expect.arrayContaining(['operator', 'phone', 'idNumber', 'creditCode']));
    expect(byCode.get('F09')!.fields).toEqual(expect.arrayContaining(['livingArrangement', 'maritalStatus', 'childrenCount', 'proneToWandering', 'disabilityCategory', 'enlistmentDate', 'registrationType', 'visitDate']));
  });
});
