import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Dictionary } from '../../../../src/dictionary/dictionary.types.js';
import { writeFormSheet } from '../../../../src/excel/form-sheet.writer.js';
import type { TemplateDef } from '../../../../src/templates/template.types.js';
import { formatRow } from '../../../../src/views/row-formatter.js';

/** A ledger record as the database holds it: canonical fields, plus what the view joins in. */
export interface LedgerRecord {
  fields: Record<string, unknown>;
  /** By column key: related records' fields (包联干部, 走访对象, 走访人, 经营者). */
  related?: Record<string, unknown>;
  gridName?: string;
  latestVisit?: string;
  /** keyGroups flags, in the column's group order. */
  keyGroups?: number[];
}

/** The raw view row formatRow expects (`v_<column key>`, `row_id_number`, `grid_name`). */
export function rawViewRow(def: TemplateDef, dict: Dictionary, rec: LedgerRecord): Record<string, unknown> {
  const raw: Record<string, unknown> = { row_id_number: rec.fields.idNumber ?? null, grid_name: rec.gridName ?? null };
  for (const c of def.columns) {
    const s = c.source;
    if (s.kind === 'field' && s.related) raw[`v_${c.key}`] = rec.related?.[c.key] ?? null;
    else if (s.kind === 'field') raw[`v_${c.key}`] = dict.byKey.get(s.field)!.derivedFrom ? rec.fields.idNumber : rec.fields[s.field] ?? null;
    else if (s.kind === 'latestVisit') raw[`v_${c.key}`] = rec.latestVisit ?? null;
    else if (s.kind === 'concat') s.parts.forEach((p, i) => (raw[`v_${c.key}_${i}`] = rec.fields[p.field] ?? null));
    else if (s.kind === 'keyGroups') s.groups.forEach((_, i) => (raw[`v_${c.key}_${i}`] = rec.keyGroups?.[i] ?? 0));
  }
  return raw;
}

/** The rows as the export writes them: formatRow, then the department's layout through writeFormSheet. */
export async function exportLedger(def: TemplateDef, dict: Dictionary, records: LedgerRecord[], referenceDate: string): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((resolve) => out.on('end', resolve));
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const blank = new ExcelJS.Workbook();
  await blank.xlsx.readFile(def.layout!.file);
  async function* rows() {
    for (const [i, rec] of records.entries()) yield formatRow(def.columns, dict, rawViewRow(def, dict, rec), { rowNumber: i + 1, referenceDate });
  }
  await writeFormSheet(workbook, blank.worksheets[0], def.layout!, '桥北社区', { title: def.name, unit: '桥北社区', date: referenceDate }, def.columns, rows());
  await workbook.commit();
  await done;
  return Buffer.concat(chunks);
}
