import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DefinitionError } from '../../../src/common/errors/definition-error.js';
import { loadDictionary } from '../../../src/dictionary/dictionary.loader.js';
import { loadTemplates, type TemplateSummary } from '../../../src/templates/template.loader.js';

const TEMPLATES = path.resolve(import.meta.dirname, '../../../templates');
const dictionary = loadDictionary(TEMPLATES);

/** A row form using the newer parts of the language: sort by age, 合计 under 序号, a count under a text column. */
const ROW = `code: X90
query: xNinety
name: 测试名册
department: 区民政局
title: 测试名册
summaries: [F09]
rows:
  entity: resident
  where: [{ not: { field: livingArrangement, in: ["1"] } }]
  orderBy: [{ age: true }]
  totalsRow: { label: 合计, labelColumn: rowNumber, count: [idNumber] }
columns:
  - { key: rowNumber, header: 序号, rowNumber: true }
  - { key: name, header: 姓名, field: name }
  - { key: idNumber, header: 公民身份号码, field: idNumber }
  - { key: allowance, header: 高龄津贴, field: oldAgeAllowance, format: { yesNo: [是, 否], empty: 否 } }
`;

/** A summary form: another form's rows counted under conditions, a ratio of two counts. */
const SUMMARY = `code: X91
query: xNinetyOne
name: 测试统计表
department: 派出所
title: 测试统计表
summary: true
rows:
  groupBy: { orgUnit: grid }
  totalsRow: { label: 合计, labelColumn: rowNumber }
columns:
  - { key: rowNumber, header: 序号, rowNumber: true }
  - { key: grid, header: 网格, orgUnit: grid }
  - { key: floating, header: 流动人口, count: { form: F07 } }
  - { key: workers, header: 务工, count: { form: F07 }, where: [{ field: residenceReason, in: ["1"] }] }
  - { key: share, header: 务工占比（%）, ratio: { part: workers, whole: floating, percent: true }, format: "0.0" }
`;

/** templates/ with extra template files (by code) next to F01–F09. */
function withFiles(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yibiaotong-language-'));
  fs.cpSync(TEMPLATES, dir, { recursive: true });
  for (const [code, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, `${code}.yaml`), text);
  return dir;
}

async function failure(files: Record<string, string>): Promise<DefinitionError> {
  try {
    await loadTemplates(withFiles(files), dictionary);
  } catch (e) {
    if (e instanceof DefinitionError) return e;
    throw e;
  }
  throw new Error('expected the templates to be refused');
}

const row = (from: string, to: string) => ({ X90: ROW.replace(from, to) });
const summary = (from: string, to: string) => ({ X91: SUMMARY.replace(from, to) });

describe('template language: the newer parts', () => {
  let loaded: Map<string, TemplateSummary>;
  beforeAll(async () => {
    loaded = new Map((await loadTemplates(withFiles({ X90: ROW, X91: SUMMARY }), dictionary)).map((t) => [t.code, t]));
  });

  it('reads sorting by age, 合计 under 序号, yes/no with a word for nothing, a named summary, not', () => {
    const def = loaded.get('X90')!.def;
    expect(def.rows).toMatchObject({ orderBy: [{ kind: 'age', descending: false }], totals: { label: '合计', labelColumn: 'rowNumber', count: ['idNumber'], sum: [] } });
    expect(def.rows.kind === 'rows' && def.rows.where).toEqual([{ kind: 'not', condition: { kind: 'field', field: 'livingArrangement', in: ['1'] } }]);
    expect(def.summaries).toEqual(['F09']);
    expect(def.columns[3].source).toEqual({ kind: 'field', field: 'oldAgeAllowance', format: { kind: 'yesNo', yes: '是', no: '否', empty: '否' } });
  });

  it('reads counts of another form under conditions over its rows, and ratios', () => {
    const def = loaded.get('X91')!.def;
    expect(def.rows).toMatchObject({ kind: 'summary', labelColumn: 'rowNumber' });
    expect(def.columns[3].source).toEqual({ kind: 'countForm', form: 'F07', where: [{ kind: 'field', field: 'residenceReason', in: ['1'] }] });
    expect(def.columns[4]).toMatchObject({ type: 'decimal', source: { kind: 'ratio', part: 'workers', whole: 'floating', percent: true, places: 1 } });
    // The form's filter fields include the conditions' (an index and the burden report follow them).
    expect(loaded.get('X91')!.fields).toContain('residenceReason');
  });

  it('gives F09 its label column by key, F01–F07 their summary, F08 none', () => {
    expect(loaded.get('F09')!.def.rows).toMatchObject({ labelColumn: 'communityName' });
    for (const code of ['F01', 'F02', 'F03', 'F04', 'F05', 'F06', 'F07']) expect(loaded.get(code)!.def.summaries).toEqual(['F09']);
    expect(loaded.get('F08')!.def.summaries).toEqual([]);
  });

  it('puts a summary’s label in its first org unit column when none is named', async () => {
    const [t] = (await loadTemplates(withFiles(summary('  totalsRow: { label: 合计, labelColumn: rowNumber }', '  totalsRow: { label: 合计 }')), dictionary)).filter((x) => x.code === 'X91');
    expect(t.def.rows).toMatchObject({ labelColumn: 'grid' });
  });

  it('counts a visit form’s rows under conditions over visits', async () => {
    const templates = await loadTemplates(withFiles(summary('count: { form: F07 }, where: [{ field: residenceReason, in: ["1"] }]', 'count: { form: F04 }, where: [{ field: visitMethod, in: ["1"] }]')), dictionary);
    expect(templates.find((x) => x.code === 'X91')!.def.columns[3].source).toEqual({ kind: 'countForm', form: 'F04', where: [{ kind: 'field', field: 'visitMethod', in: ['1'] }] });
  });

  it.each([
    ['labelColumn as a header text', row('labelColumn: rowNumber', 'labelColumn: 序号'), 'X90', 'rows.totalsRow.labelColumn', '"序号" 是表头，不是列键：labelColumn 应写列键，该列的列键为 "rowNumber"'],
    ['an unknown labelColumn', row('labelColumn: rowNumber', 'labelColumn: nothing'), 'X90', 'rows.totalsRow.labelColumn', '没有列键为 "nothing" 的列；可用的列键：rowNumber、name、idNumber、allowance'],
    ['the label on a counted column', row('labelColumn: rowNumber', 'labelColumn: idNumber'), 'X90', 'rows.totalsRow.labelColumn', '已用于计数或求和'],
    ['a summary’s labelColumn as a header text', summary('labelColumn: rowNumber', 'labelColumn: 网格'), 'X91', 'rows.totalsRow.labelColumn', '"网格" 是表头，不是列键：labelColumn 应写列键，该列的列键为 "grid"'],
    ['a summary’s label on a count', summary('labelColumn: rowNumber', 'labelColumn: floating'), 'X91', 'rows.totalsRow.labelColumn', '是计数列'],
    ['an unknown key in a summary’s totals row', summary('labelColumn: rowNumber', 'labelColumn: rowNumber, count: [floating]'), 'X91', 'rows.totalsRow.count', '未知的键 "count"'],
    ['an unknown summary', row('summaries: [F09]', 'summaries: [F99]'), 'X90', 'summaries[0]', '没有代码为 "F99" 的表单'],
    ['a row form as a summary', row('summaries: [F09]', 'summaries: [F07]'), 'X90', 'summaries[0]', '表单 F07 不是汇总表'],
    ['summaries on a summary', summary('summary: true', 'summary: true\nsummaries: [F09]'), 'X91', 'summaries', '汇总表不能再带汇总表'],
    ['age: 60 as a sort', row('orderBy: [{ age: true }]', 'orderBy: [{ age: 60 }]'), 'X90', 'rows.orderBy[0].age', '按年龄排序写 { age: true }'],
    ['an unknown key in an age sort', row('orderBy: [{ age: true }]', 'orderBy: [{ age: true, field: name }]'), 'X90', 'rows.orderBy[0].field', '未知的键 "field"'],
    ['sorting visits by age', { X90: 'code: X90\nquery: xNinety\nname: 走访\ndepartment: 街道\ntitle: 走访\nrows:\n  entity: visit\n  orderBy: [{ age: true }]\ncolumns:\n  - { key: visitDate, header: 走访日期, field: visitDate }\n' }, 'X90', 'rows.orderBy[0].age', '按年龄排序只能用于居民表'],
    ['a ratio of a non-count', summary('part: workers', 'part: grid'), 'X91', 'columns[4].ratio.part', '列 "grid" 不是计数列（count）'],
    ['a ratio of an unknown column', summary('whole: floating', 'whole: nope'), 'X91', 'columns[4].ratio.whole', '没有列键为 "nope" 的列'],
    ['a ratio of a column by itself', summary('part: workers', 'part: floating'), 'X91', 'columns[4].ratio', 'part 和 whole 不能是同一列'],
    ['a ratio with a code format', summary('format: "0.0"', 'format: codeName'), 'X91', 'columns[4].format', '比率列的格式只能是小数位数'],
    ['an unknown key in a ratio', summary('percent: true', 'percent: true, of: 100'), 'X91', 'columns[4].ratio.of', '未知的键 "of"'],
    ['a ratio on a row form', row('  - { key: rowNumber, header: 序号, rowNumber: true }', '  - { key: rowNumber, header: 序号, rowNumber: true }\n  - { key: share, header: 占比, ratio: { part: a, whole: b } }'), 'X90', 'columns[1].ratio', '比率列只能用于汇总表'],
    ['a visit field over a resident form’s rows', summary('where: [{ field: residenceReason, in: ["1"] }]', 'where: [{ field: visitMethod, in: ["1"] }]'), 'X91', 'columns[3].where[0].field', '字段 "visitMethod" 属于 visit，此处只能用 resident、household 的字段'],
    ['a resident field over a visit form’s rows', summary('count: { form: F07 }, where', 'count: { form: F04 }, where'), 'X91', 'columns[3].where[0].field', '字段 "residenceReason" 属于 resident，此处只能用 visit 的字段'],
    ['counting a summary’s rows', summary('  - { key: floating, header: 流动人口, count: { form: F07 } }', '  - { key: floating, header: 流动人口, count: { form: F09 } }'), 'X91', 'columns[2].count.form', '表单 F09 是汇总表，只能计数明细表的行'],
    ['counting an unknown form', summary('  - { key: floating, header: 流动人口, count: { form: F07 } }', '  - { key: floating, header: 流动人口, count: { form: F99 } }'), 'X91', 'columns[2].count.form', '没有代码为 "F99" 的表单'],
    ['conditions on a count of grids', summary('  - { key: floating, header: 流动人口, count: { form: F07 } }', '  - { key: floating, header: 流动人口, count: grid, where: [{ age: { gte: 60 } }] }'), 'X91', 'columns[2].where', '条件只能用于 count: resident 或 count: { form: … }'],
    ['an empty word that is not text', row('empty: 否', 'empty: 0'), 'X90', 'columns[3].format.empty', '应为文本'],
    ['an unknown key in a yes/no format', row('empty: 否', 'blank: 否'), 'X90', 'columns[3].format.blank', '未知的键 "blank"'],
    ['a yes/no format with one word', row('yesNo: [是, 否]', 'yesNo: [是]'), 'X90', 'columns[3].format.yesNo', '应为两个词'],
    ['an unknown field under not', row('not: { field: livingArrangement', 'not: { field: livingAlone'), 'X90', 'rows.where[0].not.field', '字段 "livingAlone" 不在字段字典'],
  ])('refuses %s', async (_what, files, code, at, reason) => {
    const e = await failure(files);
    expect(e.file).toMatch(new RegExp(`${code}\\.yaml$`));
    expect(e.at).toBe(at);
    expect(e.reason).toContain(reason);
  });
});
