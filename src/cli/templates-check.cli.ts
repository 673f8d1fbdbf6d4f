import { loadDefinitions } from '../common/definition/definitions.js';
import { loadConfig } from '../config/app-config.js';
import { runCli } from './cli-context.js';

// npm run templates:check: checks templates/ (dictionary, code lists, every department template) without a server.
await runCli(async () => {
  const config = loadConfig();
  const { dictionary, templates, visits, rules } = await loadDefinitions(config.templatesDir);
  console.log(`字段字典：${dictionary.fields.length} 个字段，${dictionary.codeLists.size} 个代码表`);
  for (const t of templates) console.log(`  ${t.code} ${t.name}（${t.department}）：${t.def.columns.length} 列`);
  console.log(`重点人群走访频次：${visits.groups.map((g) => `${g.name}（${g.form}，${g.frequency}）`).join('、')}`);
  console.log(`数据质量规则：${rules.length} 条（${rules.filter((r) => r.severity === 'error').length} 条错误、${rules.filter((r) => r.severity === 'warning').length} 条提示）`);
  console.log(`${config.templatesDir} 中的 ${templates.length} 个模板、走访频次和数据质量规则全部有效`);
});
