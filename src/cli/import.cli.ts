import fs from 'node:fs';
import path from 'node:path';
import { scrubText } from '../access/masking.js';
import { systemViewer } from '../access/viewer.js';
import { ProgressBar } from '../common/progress.js';
import { ImportModule } from '../import/import.module.js';
import { ImportService } from '../import/import.service.js';
import type { RowOutcome } from '../import/import.types.js';
import { cliContext, parseOptions, runCli, UsageError } from './cli-context.js';

// npm run import -- --form F05 --org 500106108001 台账.xlsx [--commit] [--on-conflict keep|take] [--valid-rows-only]
await runCli(async () => {
  const args = process.argv.slice(2);
  const file = args.find((a, i) => !a.startsWith('--') && (i === 0 || !args[i - 1].startsWith('--') || ['--commit', '--valid-rows-only'].includes(args[i - 1])));
  const o = parseOptions(args.filter((a) => a !== file), {
    form: '表单代码（如 F05）',
    org: '导入到的社区或网格代码',
    commit: '预览后直接提交（yes）；不写则只预览',
    'on-conflict': '与台账不一致时：keep 保留台账的值（默认），take 采用文件的值',
    'valid-rows-only': '有错误行时只提交无误的行（yes）',
    errors: '把错误报告（标出错误的原工作簿）写到此文件',
  }, ['commit', 'valid-rows-only']);
  if (!o.form || !o.org || !file) throw new UsageError('须提供 --form、--org 和要导入的 .xlsx 文件');
  if (!fs.existsSync(file)) throw new UsageError(`找不到文件 ${file}`);
  const onConflict = (o['on-conflict'] ?? 'keep') as 'keep' | 'take';
  if (onConflict !== 'keep' && onConflict !== 'take') throw new UsageError('--on-conflict 只能是 keep 或 take');
  const app = await cliContext({ extra: [ImportModule] });
  try {
    const imports = app.get(ImportService);
    // The command line runs on the server, by someone who can read the database anyway: the system viewer.
    const viewer = systemViewer(`cli-import-${process.pid}`, 'import');
    const bar = new ProgressBar(`读取并核对 ${path.basename(file)}`, 0);
    const preview = await imports.upload(viewer, { form: o.form, orgUnit: o.org, fileName: path.basename(file), bytes: fs.readFileSync(file) }, (done, total) => bar.update(done, false, total));
    bar.finish(preview.summary.rows);
    const s = preview.summary;
    console.log(`导入编号 ${preview.id}（SHA-256 ${preview.sha256.slice(0, 16)}…）：共 ${s.rows} 行，新建 ${s.creates}，补充 ${s.updates}，一致 ${s.unchanged}，冲突 ${s.conflicts}，错误 ${s.errors}，提示 ${s.warnings}`);
    if (preview.alreadyImported) console.log(`注意：同一文件已于 ${preview.alreadyImported.committedAt?.toISOString()} 提交（导入编号 ${preview.alreadyImported.id}），再次提交不会改变任何数据`);
    const outcome = await imports.outcome(viewer, preview.id);
    // What reaches a terminal may reach a log: ID and phone numbers masked, like every log line.
    for (const row of outcome.filter((r) => r.kind === 'error').slice(0, 20)) console.log(scrubText(`  第 ${row.row} 行：${row.errors.map((e) => e.message).join('；')}`));
    for (const row of outcome.filter((r) => r.kind === 'conflict').slice(0, 20)) console.log(scrubText(`  第 ${row.row} 行冲突：${describe(row)}`));
    if (o.errors) {
      const { errorWorkbook } = await import('../import/error-workbook.js');
      fs.writeFileSync(o.errors, await errorWorkbook(fs.readFileSync(file), outcome));
      console.log(`错误报告已写入 ${o.errors}`);
    }
    if (o.commit !== 'yes') return console.log('只做了预览；加 --commit 提交');
    const commitBar = new ProgressBar('写入台账', s.rows);
    const done = await imports.commit(viewer, preview.id, { onConflict, validRowsOnly: o['valid-rows-only'] === 'yes' }, (n) => commitBar.update(n));
    commitBar.finish(s.rows);
    console.log(`已提交：写入 ${done.changed} 条记录（冲突${onConflict === 'keep' ? '保留台账的值' : '采用文件的值'}）`);
  } finally {
    await app.close();
  }
});

function describe(row: RowOutcome): string {
  return row.conflicts.map((c) => `${c.label} 台账"${c.ledger}" / 文件"${c.file}"`).join('，');
}
