import fs from 'node:fs';
import { finished } from 'node:stream/promises';
import { ProgressBar } from '../common/progress.js';
import { systemViewer } from '../access/viewer.js';
import { ExportService } from '../excel/export.service.js';
import { cliContext, parseOptions, runCli, UsageError } from './cli-context.js';

// npm run export -- --form F01 --org 500106108001 --out 台账.xlsx [--date 2026-11-25] [--format csv] [--reason 用途]
await runCli(async () => {
  const o = parseOptions(process.argv.slice(2), {
    form: '表单代码（如 F01），或 all：社区的全部表单',
    org: '区划或网格代码（社区：一张表；街道：每个社区一张表加汇总表）',
    out: '输出文件',
    date: '参考日期 yyyy-mm-dd 或月份 yyyy-mm（默认今天）',
    format: 'xlsx（默认）或 csv',
    reason: '导出用途，记入审计日志',
  });
  if (!o.form || !o.org || !o.out) throw new UsageError('须提供 --form、--org 和 --out');
  if (o.format && o.format !== 'xlsx' && o.format !== 'csv') throw new UsageError('--format 只能是 xlsx 或 csv');
  const app = await cliContext({ exports: true });
  try {
    const exports = app.get(ExportService);
    const request = { code: o.form, orgUnit: o.org, date: o.date, format: (o.format ?? 'xlsx') as 'xlsx' | 'csv', reason: o.reason };
    // The command line runs on the server, by someone who can read the database anyway: the system viewer.
    const viewer = systemViewer(`cli-export-${process.pid}`);
    const plan = await exports.prepare(viewer, request);
    const bar = new ProgressBar(`导出 ${plan.fileName}`, plan.rows);
    const partial = `${o.out}.partial`;
    const out = fs.createWriteStream(partial);
    try {
      const rows = await exports.write(viewer, plan, out, (n) => bar.update(n));
      out.end();
      await finished(out);
      fs.renameSync(partial, o.out); // nothing half-written under the real name
      bar.finish(rows);
      console.log(`已写入 ${o.out}：${rows} 行`);
    } catch (e) {
      out.destroy();
      fs.rmSync(partial, { force: true });
      throw e;
    }
  } finally {
    await app.close();
  }
});
