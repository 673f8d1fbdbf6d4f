import path from 'node:path';
import ExcelJS from 'exceljs';
import { loadDefinitions } from '../../../../src/common/definition/definitions.js';
import type { Definitions } from '../../../../src/common/definition/definitions.js';
import type { TemplateDef } from '../../../../src/templates/template.types.js';
import { buildZip, type RawEntry } from './raw-zip.js';

export const TEMPLATES_DIR = path.resolve('templates');

let definitions: Promise<Definitions> | null = null;
/** The real dictionary and templates (F01–F09 with their blank forms), loaded once per test file. */
export function definitionsOnce(): Promise<Definitions> {
  definitions ??= loadDefinitions(TEMPLATES_DIR);
  return definitions;
}

export async function templateOf(code: string): Promise<TemplateDef> {
  const defs = await definitionsOnce();
  return defs.templates.find((t) => t.code === code)!.def;
}

/** A department's real blank form with `rows` written from the first body row (values as given, typed by exceljs). */
export async function fillBlankForm(code: string, rows: unknown[][], edit?: (ws: ExcelJS.Worksheet, firstBodyRow: number) => void): Promise<Buffer> {
  const def = await templateOf(code);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(path.join(TEMPLATES_DIR, 'forms', `${code}.xlsx`));
  const ws = wb.worksheets[0];
  const first = def.layout!.headerRows[1] + 1;
  rows.forEach((values, r) => values.forEach((v, c) => {
    if (v !== undefined) ws.getCell(first + r, c + 1).value = v as ExcelJS.CellValue;
  }));
  edit?.(ws, first);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** A workbook made with exceljs from scratch. */
export async function workbookBuffer(build: (ws: ExcelJS.Worksheet, wb: ExcelJS.Workbook) => void, sheetName = 'Sheet1'): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  build(wb.addWorksheet(sheetName), wb);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const colName = (c: number): string => (c > 26 ? colName(Math.floor((c - 1) / 26)) : '') + String.fromCharCode(65 + ((c - 1) % 26));

/** A cell for rawSheetRows: text (inline string), number, or raw XML for the inside and attributes of <c>. */
export type RawCellSpec = string | number | null | { xml: string; attrs?: string };

/** <row> elements with explicit references; row i of `rows` is sheet row `firstRow + i`. */
export function rawSheetRows(rows: RawCellSpec[][], firstRow = 1): string {
  return rows
    .map((cells, i) => {
      const r = firstRow + i;
      const xml = cells
        .map((v, c) => {
          const ref = `${colName(c + 1)}${r}`;
          if (v === null || v === '') return '';
          if (typeof v === 'number') return `<c r="${ref}"><v>${v}</v></c>`;
          if (typeof v === 'string') return `<c r="${ref}" t="inlineStr"><is><t>${escapeXml(v)}</t></is></c>`;
          return `<c r="${ref}" ${v.attrs ?? ''}>${v.xml}</c>`;
        })
        .join('');
      return `<row r="${r}">${xml}</row>`;
    })
    .join('');
}

const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';

/** A minimal .xlsx written part by part: `sheet` is the worksheet XML (or the inside of <sheetData> when `inner`). */
export function rawXlsx(opts: {
  sheet: string;
  inner?: boolean;
  afterSheetData?: string;
  sharedStrings?: string;
  styles?: string;
  workbookPr?: string;
  extra?: RawEntry[];
  override?: Partial<Record<string, Partial<RawEntry>>>;
}): Buffer {
  const sheet = opts.inner === false ? opts.sheet : `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet ${NS}><sheetData>${opts.sheet}</sheetData>${opts.afterSheetData ?? ''}</worksheet>`;
  const parts: RawEntry[] = [
    { name: '[Content_Types].xml', data: '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>' },
    { name: '_rels/.rels', data: '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>' },
    { name: 'xl/workbook.xml', data: `<?xml version="1.0" encoding="UTF-8"?><workbook ${NS}>${opts.workbookPr ?? ''}<sheets><sheet name="台账" sheetId="1" r:id="rId1"/></sheets></workbook>` },
    { name: 'xl/_rels/workbook.xml.rels', data: '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>' },
    { name: 'xl/worksheets/sheet1.xml', data: sheet },
    { name: 'xl/styles.xml', data: opts.styles ?? `<?xml version="1.0" encoding="UTF-8"?><styleSheet ${NS}><cellXfs count="1"><xf numFmtId="0"/></cellXfs></styleSheet>` },
    { name: 'xl/sharedStrings.xml', data: opts.sharedStrings ?? `<?xml version="1.0" encoding="UTF-8"?><sst ${NS}></sst>` },
    ...(opts.extra ?? []),
  ];
  return buildZip(parts.map((p) => ({ ...p, ...(opts.override?.[p.name] ?? {}) })));
}
