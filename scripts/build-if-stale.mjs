// Compiles (npm run build) only when a source file is newer than its output in dist/: a command line tool that is
// run many times in a row (templates:draft for each blank form) should not wait for tsc each time.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const sources = (dir) => fs.readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
  .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
  .map((e) => path.relative(root, path.join(e.parentPath, e.name)));
const mtime = (f) => fs.statSync(path.join(root, f), { throwIfNoEntry: false })?.mtimeMs ?? -1;
const built = (ts) => path.join('dist', ts.replace(/\.ts$/, '.js'));
const configs = ['tsconfig.json', 'tsconfig.build.json', 'package.json'].map(mtime);
const stale = [...sources('src'), ...sources('bench'), ...sources('migrations'), 'ormconfig.ts']
  .some((ts) => { const out = mtime(built(ts)); return out < mtime(ts) || configs.some((c) => out < c); });
if (stale) {
  const r = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
