import path from 'node:path';
import { classifyFormat, GENERAL, type NumberFormat } from './cell-format.js';
import { ImportFileError } from './import-file-error.js';
import { detach } from './xml-scan.js';
import { parseXmlEntry, scanXmlEntry } from './xml-stream.js';
import type { ZipGuard } from './zip-guard.js';

export interface SheetRef {
  name: string;
  /** Entry name in the zip, e.g. xl/worksheets/sheet1.xml. */
  entry: string;
}

/** What every sheet needs from the rest of the workbook. */
export interface WorkbookParts {
  sheets: SheetRef[];
  sharedStrings: string[];
  /** Per cell style index (the `s` attribute): how its number format shows numbers. */
  formats: NumberFormat[];
  date1904: boolean;
}

const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/';
const notWorkbook = () => new ImportFileError('NOT_XLSX', '无法读取：文件中没有 Excel 工作簿。请上传 Excel 工作簿（.xlsx）文件');

export async function readWorkbookParts(zip: ZipGuard): Promise<WorkbookParts> {
  const workbookEntry = (await officeDocument(zip)) ?? 'xl/workbook.xml';
  if (!zip.has(workbookEntry)) throw notWorkbook();
  const dir = path.posix.dirname(workbookEntry);
  const rels = await readRels(zip, `${dir}/_rels/${path.posix.basename(workbookEntry)}.rels`, dir);

  const listed: { name: string; rid: string; hidden: boolean }[] = [];
  let date1904 = false;
  await parseXmlEntry(zip, workbookEntry, {
    open(name, a) {
      if (name === 'workbookPr') date1904 = a.date1904 === '1' || a.date1904 === 'true';
      if (name === 'sheet') listed.push({ name: a.name ?? '', rid: a['r:id'] ?? a.id ?? '', hidden: !!a.state && a.state !== 'visible' });
    },
  });
  // Visible sheets first, in the workbook's order: the ledger is normally the first one.
  const sheets = [...listed.filter((s) => !s.hidden), ...listed.filter((s) => s.hidden)]
    .map((s) => ({ name: s.name, entry: rels.byId.get(s.rid)?.target ?? '' }))
    .filter((s) => s.entry && zip.has(s.entry));
  if (sheets.length === 0) throw notWorkbook();

  const sharedEntry = rels.byType.get(`${REL}sharedStrings`) ?? `${dir}/sharedStrings.xml`;
  const stylesEntry = rels.byType.get(`${REL}styles`) ?? `${dir}/styles.xml`;
  return {
    sheets,
    date1904,
    sharedStrings: zip.has(sharedEntry) ? await readSharedStrings(zip, sharedEntry) : [],
    formats: zip.has(stylesEntry) ? await readFormats(zip, stylesEntry) : [],
  };
}

async function officeDocument(zip: ZipGuard): Promise<string | undefined> {
  if (!zip.has('_rels/.rels')) return undefined;
  const rels = await readRels(zip, '_rels/.rels', '');
  return rels.byType.get(`${REL}officeDocument`);
}

interface Rels {
  byId: Map<string, { target: string }>;
  byType: Map<string, string>;
}

async function readRels(zip: ZipGuard, entry: string, baseDir: string): Promise<Rels> {
  const rels: Rels = { byId: new Map(), byType: new Map() };
  if (!zip.has(entry)) return rels;
  await parseXmlEntry(zip, entry, {
    open(name, a) {
      if (name !== 'Relationship' || !a.Target || a.TargetMode === 'External') return;
      // Targets are relative to the part's folder, or absolute from the package root.
      const target = a.Target.startsWith('/') ? a.Target.slice(1) : path.posix.normalize(path.posix.join(baseDir, a.Target));
      rels.byId.set(a.Id, { target });
      const type = (a.Type ?? '').replace(/^http:\/\/purl\.oclc\.org\/ooxml\/officeDocument\/relationships\//, REL);
      if (!rels.byType.has(type)) rels.byType.set(type, target);
    },
  });
  return rels;
}

/** The shared string table; rich-text runs are joined, phonetic guides (rPh) left out. */
async function readSharedStrings(zip: ZipGuard, entry: string): Promise<string[]> {
  const strings: string[] = [];
  let current = '';
  let phonetic = 0;
  await scanXmlEntry(zip, entry, {
    wantText: false,
    open(name) {
      if (name === 'si') current = '';
      else if (name === 't') this.wantText = phonetic === 0;
      else if (name === 'rPh') phonetic++;
    },
    close(name) {
      if (name === 'si') strings.push(detach(current));
      else if (name === 't') this.wantText = false;
      else if (name === 'rPh') phonetic--;
    },
    text(t) {
      current += t;
    },
  });
  return strings;
}

/** Number formats of the cell styles (cellXfs), so that date cells can be told from numbers. */
async function readFormats(zip: ZipGuard, entry: string): Promise<NumberFormat[]> {
  const codes = new Map<number, string>();
  const ids: number[] = [];
  let inCellXfs = false;
  await parseXmlEntry(zip, entry, {
    open(name, a) {
      if (name === 'numFmt') codes.set(Number(a.numFmtId), a.formatCode ?? '');
      else if (name === 'cellXfs') inCellXfs = true;
      else if (name === 'xf' && inCellXfs) ids.push(Number(a.numFmtId ?? 0));
    },
    close(name) {
      if (name === 'cellXfs') inCellXfs = false;
    },
  });
  return ids.map((id) => (Number.isFinite(id) ? classifyFormat(id, codes.get(id)) : GENERAL));
}
