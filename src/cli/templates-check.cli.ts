import path from 'node:path';
import { loadDefinitions } from '../common/definition/definitions.js';
import { DictionaryChangeRefusedError } from '../common/errors/definition-error.js';
import { loadConfig } from '../config/app-config.js';
import { describeChange } from '../database/dictionary-schema.js';
import { inspectSchema } from '../database/schema-inspection.js';
import { runCli } from './cli-context.js';

// npm run templates:check: checks templates/ (dictionary, code lists, every department template) without a server,
// then lists what the next start will change in the database to follow them (if it can read the database).
await runCli(async () => {
  const config = loadConfig();
  const { dictionary, templates, visits, rules } = await loadDefinitions(config.templatesDir);
  console.log(`字段字典：${dictionary.fields.length} 个字段，${dictionary.codeLists.size} 个代码表`);
  for (const t of templates) console.log(`  ${t.code} ${t.name}（${t.department}）：${t.def.columns.length} 列`);
  console.log(`重点人群走访频次：${visits.groups.map((g) => `${g.name}（${g.form}，${g.frequency}）`).join('、')}`);
  console.log(`数据质量规则：${rules.length} 条（${rules.filter((r) => r.severity === 'error').length} 条错误、${rules.filter((r) => r.severity === 'warning').length} 条提示）`);
  console.log(`${config.templatesDir} 中的 ${templates.length} 个模板、走访频次和数据质量规则全部有效`);

  const inspection = await inspectSchema(config, dictionary, templates.map((t) => t.def));
  console.log(`\n数据库（${inspection.where}）：`);
  if (!inspection.reachable) {
    console.log(`  无法读取数据库（${inspection.reason}），未列出下次启动的结构变更；启动时会按字段字典补齐，有会丢数据的变更则拒绝启动`);
    return;
  }
  const { plan, pendingMigrations } = inspection;
  if (pendingMigrations) console.log(`  另有 ${pendingMigrations} 个数据库迁移待执行（先于下列变更执行，迁移建的表和列不在下列之中）`);
  if (plan.changes.length) {
    console.log(`  下次启动将按字段字典和模板做 ${plan.changes.length} 项结构变更（只增不删数据，记入 dictionary_changes 表）：`);
    for (const c of plan.changes) console.log(`    - ${describeChange(c)}`);
  } else if (!plan.refusals.length) {
    console.log('  数据库结构与字段字典一致，下次启动不做结构变更');
  }
  for (const note of plan.notes) console.log(`  注意：${note}`);
  if (plan.refusals.length) throw new DictionaryChangeRefusedError(path.join(config.templatesDir, 'dictionary.yaml'), plan.refusals);
});
