import 'reflect-metadata';
import fs from 'node:fs';
import { finished } from 'node:stream/promises';
import { systemViewer } from '../src/access/viewer.js';
import { cliContext } from '../src/cli/cli-context.js';
import { ExportService } from '../src/excel/export.service.js';

// One export of bench/reporting in its own process, so that its peak RSS is its own:
//   CODE ORG_UNIT PERIOD|- OUT.xlsx      (PERIOD: the frozen report of that period; "-": the live view)
// The database comes from SQLITE_PATH / DATABASE_URL. Prints {seconds, rows, peakRssMb}; start-up is not timed.
const [code, orgUnit, period, out] = process.argv.slice(2);

const app = await cliContext({ exports: true });
const file = fs.createWriteStream(out);
const started = performance.now();
const exports = app.get(ExportService);
const viewer = systemViewer('bench');
// As the HTTP download does it (no count first).
const plan = await exports.prepare(viewer, { code, orgUnit, period: period === '-' ? null : period }, { count: false });
const frozen = plan.reports[0] !== null;
if (frozen !== (period !== '-')) throw new Error(period === '-' ? '实时导出却读到了冻结的报表' : `报送期 ${period} 没有已报送的 ${code} 报表，导出的是实时视图`);
const rows = await exports.write(viewer, plan, file);
file.end();
await finished(file);
const seconds = (performance.now() - started) / 1000;
await app.close();
process.stdout.write(`${JSON.stringify({ seconds, rows, peakRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
process.exit(0);
