import 'reflect-metadata';
import { runEntryBench } from './entry.bench.js';
import { runExportBench } from './export.bench.js';
import { runImportBench } from './import.bench.js';
import { runViewsBench } from './views.bench.js';

// `npm run bench -- <name>`: speed and memory figures live here, never in timed tests.
const BENCHES: Record<string, () => Promise<void>> = { entry: runEntryBench, views: runViewsBench, export: runExportBench, import: runImportBench };

const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const selected = names.length ? names : Object.keys(BENCHES);
for (const name of selected) {
  const bench = BENCHES[name];
  if (!bench) {
    console.error(`没有名为 "${name}" 的基准测试；可用：${Object.keys(BENCHES).join('、')}`);
    process.exit(2);
  }
  await bench();
}
process.exit(0);
