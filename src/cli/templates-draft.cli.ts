import fs from 'node:fs';
import path from 'node:path';
import { loadDefinitions } from '../common/definition/definitions.js';
import { DefinitionError } from '../common/errors/definition-error.js';
import { templatesDirOf } from '../config/app-config.js';
import { BlankFormError, readBlankForm } from '../templates/blank-form.reader.js';
import { draftContract } from '../templates/drafting/draft-contract.js';
import { planFromDraft, templateYaml } from '../templates/drafting/draft-yaml.js';
import { draftTemplate } from '../templates/drafting/template-drafter.js';
import { runCli, UsageError } from './cli-context.js';

const HELP = `用法：npm run templates:draft -- 表样.xlsx [--code 代码] [--out 模板.yaml] [--json]

根据部门发来的空白表样起草模板：为每一列提出数据来源（字典字段，或序号、年龄、网格名称、最近走访、汇总表的计数等），
给出把握程度和其次可能的来源；字典中没有的列，提出一个新字段（英文键、中文名称、按表头推测的类型）。
草稿中标有"待定"的地方（行条件、排序、部门、查询名）须由人决定，然后 npm run templates:check。

  --code 代码   表单代码（大写字母开头，如 V01）；默认取文件名开头的代码，否则 X01、X02……中第一个未用的
  --out 文件    把模板草稿写入此文件（默认打印到屏幕）
  --json        打印 JSON：{ code, layout, columns: [{ index, header, groups, source, confidence, alternatives }],
                newFields: [{ index, key, label, type }] }
  --help        显示本说明`;

function options(argv: string[]): { file: string; code?: string; out?: string; json: boolean } {
  const o: { file?: string; code?: string; out?: string; json: boolean } = { json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') o.json = true;
    else if (a === '--code' || a === '--out') {
      const value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`参数 ${a} 缺少取值`);
      o[a.slice(2) as 'code' | 'out'] = value;
    } else if (a.startsWith('-')) throw new UsageError(`不认识的参数 "${a}"（npm run templates:draft -- --help 查看说明）`);
    else if (o.file) throw new UsageError('只能给一个表样文件');
    else o.file = a;
  }
  if (!o.file) throw new UsageError('须提供部门表样文件（.xlsx）（npm run templates:draft -- --help 查看说明）');
  if (o.code !== undefined && !/^[A-Z][A-Z0-9_]*$/.test(o.code)) throw new UsageError(`表单代码 "${o.code}" 格式不对：大写字母开头，只含大写字母、数字和下划线`);
  return o as { file: string; code?: string; out?: string; json: boolean };
}

await runCli(async () => {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) return void console.log(HELP);
  const o = options(argv);
  if (!fs.existsSync(o.file)) throw new UsageError(`找不到文件 ${o.file}`);
  // Drafting reads files only: no database, so no database settings are needed (or checked).
  const templatesDir = templatesDirOf();
  const defs = await loadDefinitions(templatesDir);
  const taken = new Set(defs.templates.map((t) => t.code));
  const fromName = /^([A-Z][A-Z0-9]*)(?=[_.\-\s])/.exec(path.basename(o.file))?.[1];
  const code = o.code ?? (fromName && !taken.has(fromName) ? fromName : nextFree(taken));
  if (taken.has(code)) throw new UsageError(`表单代码 ${code} 已有模板（templates/${code}.yaml），请用 --code 另选一个`);
  let blank;
  try {
    blank = await readBlankForm(path.resolve(o.file));
  } catch (e) {
    if (e instanceof BlankFormError) throw new DefinitionError(o.file, '', e.message);
    throw e;
  }
  const draft = draftTemplate({
    blank, code, dictionary: defs.dictionary, templates: defs.templates.map((t) => t.def),
    keyGroups: defs.visits.groups.map((g) => ({ form: g.form, name: g.name })),
  });
  if (o.json) return void console.log(JSON.stringify(draftContract(draft), null, 2));
  const yaml = templateYaml(planFromDraft(draft, { from: path.basename(o.file) }));
  if (!o.out) return void process.stdout.write(yaml);
  fs.writeFileSync(o.out, yaml);
  const mapped = draft.columns.filter((c) => c.source).length;
  console.log(`已写入 ${o.out}：${draft.layout.kind === 'summary' ? '汇总表' : '明细表'}，${draft.columns.length} 列，${mapped} 列有来源，${draft.newFields.length} 个新字段`);
  for (const c of draft.columns.filter((x) => !x.source || x.confidence < 0.8 || x.note)) {
    console.log(`  第 ${c.index} 列 ${[...c.groups, c.header].join(' › ')}：${c.source ? `把握 ${Math.round(c.confidence * 100)}%，请核对` : draft.newFields.some((n) => n.index === c.index) ? '新字段，须加入字典' : '须由人决定'}${c.note ? `（${c.note}）` : ''}`);
  }
  console.log(`下一步：把表样复制为 templates/forms/${code}.xlsx、草稿放到 templates/${code}.yaml，填好"待定"之处，运行 npm run templates:check`);
});

function nextFree(taken: Set<string>): string {
  for (let n = 1; ; n++) {
    const code = `X${String(n).padStart(2, '0')}`;
    if (!taken.has(code)) return code;
  }
}
