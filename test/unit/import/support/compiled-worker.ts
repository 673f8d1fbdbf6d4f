import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

/**
 * Node 20 cannot run the TypeScript worker that ts-jest sees, and dist/ may be stale: tests compile the reader
 * (its files import only each other, node: modules and yauzl) into a temporary folder and point readLedgerFile's
 * `workerUrl` at it, so the real worker runs with the current sources.
 */
export function compileReaderWorker(): { url: URL; dispose(): void } {
  const src = path.resolve('src/import/reader');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'yibiaotong-reader-'));
  fs.writeFileSync(path.join(out, 'package.json'), '{"type":"module"}');
  fs.symlinkSync(path.resolve('node_modules'), path.join(out, 'node_modules'), 'dir');
  for (const file of fs.readdirSync(src).filter((f) => f.endsWith('.ts'))) {
    const { outputText } = ts.transpileModule(fs.readFileSync(path.join(src, file), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true, esModuleInterop: true },
      fileName: file,
    });
    fs.writeFileSync(path.join(out, file.replace(/\.ts$/, '.js')), outputText);
  }
  return { url: pathToFileURL(path.join(out, 'ledger-worker.js')), dispose: () => fs.rmSync(out, { recursive: true, force: true }) };
}
