import type { TemplateColumn } from '../../templates/template.types.js';
import { BodyCollector, type CompactRows } from './body-rows.js';
import type { EncodedRows } from './compact-codec.js';
import { HEADER_SCAN_ROWS, type HeaderMatch, locateHeader } from './header-locator.js';
import { ImportFileError } from './import-file-error.js';
import { DEFAULT_LIMITS, type ParseRequest, type ReadProblem, type SheetRead } from './reader.types.js';
import { cellsOf, type Merge, type RowCells, type SheetCell, streamSheet } from './sheet-stream.js';
import { readWorkbookParts, type SheetRef, type WorkbookParts } from './workbook-parts.js';
import { ZipGuard } from './zip-guard.js';

/** The whole read, with the body still in flat arrays. */
export type CompactRead = Omit<SheetRead, 'rows'> & { body: CompactRows };
/** What the worker posts back: the body encoded for a cheap transfer. */
export type WireRead = Omit<SheetRead, 'rows'> & { body: EncodedRows };

/**
 * Reads the ledger sheet of an .xlsx held in memory: the first sheet (visible ones first) whose header matches the
 * template, its header block, and its body. Runs inside the worker; `deadline` bounds an in-process run.
 */
export async function parseLedger(req: ParseRequest, deadline?: number): Promise<CompactRead> {
  const o = req.options;
  const bytes = Buffer.from(req.bytes.buffer, req.bytes.byteOffset, req.bytes.byteLength);
  const zip = await ZipGuard.open(bytes, {
    maxUncompressedBytes: o.maxUncompressedBytes ?? DEFAULT_LIMITS.maxUncompressedBytes,
    maxEntries: o.maxEntries ?? DEFAULT_LIMITS.maxEntries,
    deadline,
  });
  try {
    const parts = await readWorkbookParts(zip);
    const optional = new Set(o.optionalKeys ?? req.columns.filter((c) => c.source.kind === 'rowNumber').map((c) => c.key));
    const required = req.columns.filter((c) => !optional.has(c.key));
    const identifiers = new Set(o.identifierKeys ?? defaultIdentifierKeys(req.columns));
    let incomplete: { sheet: string; match: HeaderMatch; missing: number } | null = null;

    const ctx: SheetContext = { zip, parts, columns: req.columns, optional, required, identifiers };
    for (const sheet of parts.sheets) {
      let read = await readSheet(ctx, sheet, null);
      if (read.kind === 'retry') read = await readSheet(ctx, sheet, read.merges);
      if (read.kind === 'found') return read.result;
      if (read.kind === 'incomplete' && (!incomplete || read.missing < incomplete.missing)) incomplete = { sheet: sheet.name, match: read.match, missing: read.missing };
    }
    const partial = incomplete as { sheet: string; match: HeaderMatch; missing: number } | null;
    if (partial) {
      const names = partial.match.missing.filter((c) => !optional.has(c.key)).map((c) => c.header.join('／'));
      throw new ImportFileError(
        'MISSING_COLUMN',
        `工作表"${partial.sheet}"缺少以下列：${names.join('、')}。请按本表单的表样补齐这些列（可以留空），或确认上传的是本表单的台账`,
        names,
      );
    }
    const expected = required.slice(0, 6).map((c) => c.header[c.header.length - 1]);
    throw new ImportFileError(
      'HEADER_NOT_FOUND',
      `没有找到本表单的表头：各工作表前 ${HEADER_SCAN_ROWS} 行中没有与表样表头（${expected.join('、')}……）相符的行。请确认上传的是本表单的台账`,
    );
  } finally {
    zip.close();
  }
}

interface SheetContext {
  zip: ZipGuard;
  parts: WorkbookParts;
  columns: TemplateColumn[];
  optional: Set<string>;
  required: TemplateColumn[];
  identifiers: Set<string>;
}

type Verdict = { kind: 'found'; match: HeaderMatch } | { kind: 'incomplete'; match: HeaderMatch; missing: number } | { kind: 'none' };
type SheetOutcome = Exclude<Verdict, { kind: 'found' }> | { kind: 'found'; result: CompactRead } | { kind: 'retry'; merges: Merge[] };

function judge(ctx: SheetContext, top: { row: number; cells: SheetCell[] }[], merges: Merge[]): Verdict {
  const match = locateHeader(top, merges, ctx.columns);
  const missing = match ? match.missing.filter((c) => !ctx.optional.has(c.key)).length : ctx.required.length;
  // Fewer than half the columns: not this form's header at all.
  if (!match || missing * 2 > ctx.required.length) return { kind: 'none' };
  return missing ? { kind: 'incomplete', match, missing } : { kind: 'found', match };
}

const sameVerdict = (a: Verdict, b: Verdict) =>
  a.kind === b.kind && (a.kind !== 'found' || JSON.stringify([a.match.headerRows, a.match.columnMap]) === JSON.stringify([(b as typeof a).match.headerRows, (b as typeof a).match.columnMap]));

/**
 * One pass over a sheet. Merged ranges come after the rows in the XML, so without `knownMerges` the header is
 * judged at the scan depth from the cells alone (lost merges are the shape the locator tolerates anyway) and
 * judged again once the merges are in; only if the two differ is the sheet read a second time.
 */
async function readSheet(ctx: SheetContext, sheet: SheetRef, knownMerges: Merge[] | null): Promise<SheetOutcome> {
  const top: { row: number; cells: SheetCell[] }[] = [];
  const merges: Merge[] = [];
  let early: Verdict | null = null;
  let body: BodyCollector | null = null;
  const decide = (withMerges: Merge[]) => {
    early = judge(ctx, top, withMerges);
    if (early.kind !== 'found') return;
    const headers = new Map(ctx.columns.map((c) => [c.key, c.header.join('／')]));
    body = new BodyCollector(early.match.columnMap, headers, early.match.headerRows[1], ctx.identifiers);
    for (const r of top) body.add(r.row, rowCellsOf(r.cells));
  };
  await streamSheet(
    ctx.zip,
    sheet.entry,
    ctx.parts,
    (row, cells) => {
      if (!early && row <= HEADER_SCAN_ROWS) return void top.push({ row, cells: cellsOf(cells) });
      if (!early) decide(knownMerges ?? []);
      if (body) (body as BodyCollector).add(row, cells);
      // Not this sheet: with the merges known there is nothing more to learn from it.
      else if (knownMerges) return false;
    },
    (m) => void merges.push(m),
  );
  const allMerges = knownMerges ?? merges;
  if (!early) decide(allMerges);
  const verdict = judge(ctx, top, allMerges);
  if (!sameVerdict(early!, verdict)) return knownMerges ? { kind: 'none' } : { kind: 'retry', merges };
  if (verdict.kind !== 'found' || !body) return verdict.kind === 'found' ? { kind: 'none' } : verdict;
  const collector: BodyCollector = body;
  collector.finish(allMerges);
  const warnings: ReadProblem[] = verdict.match.unknown.map((u) => ({
    column: u.column,
    code: 'UNKNOWN_COLUMN',
    message: `第 ${u.column} 列"${u.header}"不是本表单的列，已忽略`,
  }));
  return {
    kind: 'found',
    result: {
      sheetName: sheet.name,
      headerRows: verdict.match.headerRows,
      columnMap: verdict.match.columnMap,
      info: sheetInfo(top, verdict.match.headerRows[0]),
      warnings: [...warnings, ...collector.warnings],
      body: collector.out,
    },
  };
}

const rowCellsOf = (cells: SheetCell[]): RowCells => ({
  count: cells.length,
  columns: cells.map((c) => c.column),
  values: cells.map((c) => c.value),
  texts: cells.map((c) => c.text),
  numeric: cells.map((c) => c.numeric),
  problems: cells.map((c) => c.problem),
});

/** ID numbers, credit codes and anything built from them (残疾人证号) lose digits as numbers. */
function defaultIdentifierKeys(columns: TemplateColumn[]): string[] {
  return columns
    .filter((c) => (c.source.kind === 'field' && ['idNumber', 'creditCode'].includes(c.source.field)) || c.source.kind === 'concat')
    .map((c) => c.key);
}

/** Title, 填报单位 and 填报日期 from the rows above the header. */
function sheetInfo(top: { row: number; cells: SheetCell[] }[], firstHeaderRow: number): SheetRead['info'] {
  const info: SheetRead['info'] = {};
  for (const { row, cells } of top) {
    if (row >= firstHeaderRow) break;
    for (const cell of cells) {
      const t = cell.text.normalize('NFKC').replace(/\s+/g, '');
      if (!t) continue;
      const unit = /^填报单位(?:\(盖章\))?[:：]?(.*)$/.exec(t);
      const date = /^填报日期[:：]?(\d{4})[年\-./](\d{1,2})[月\-./](\d{1,2})日?$/.exec(t);
      if (unit) info.unit = unit[1] || undefined;
      else if (date) info.date = `${date[1]}-${date[2].padStart(2, '0')}-${date[3].padStart(2, '0')}`;
      else if (!info.title && !t.startsWith('填报日期')) info.title = cell.text.trim();
    }
  }
  if (!info.unit) delete info.unit;
  return info;
}
