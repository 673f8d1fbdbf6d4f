import type { TemplateColumn } from '../../templates/template.types.js';
import type { Merge, SheetCell } from './sheet-stream.js';

/** Rows searched for the header; departments put at most a title and a 填报单位 row above it. */
export const HEADER_SCAN_ROWS = 30;
const MAX_HEADER_COLUMNS = 512;
const MAX_HEADER_DEPTH = 6;

export interface HeaderMatch {
  headerRows: [number, number];
  columnMap: { key: string; column: number }[];
  /** Template columns not found in the sheet. */
  missing: TemplateColumn[];
  /** Sheet columns with a header the template does not have. */
  unknown: { column: number; header: string }[];
}

/** Header text as compared: full-width folded (NFKC), no whitespace or line breaks, no required-field stars. */
export function normalizeHeader(text: string): string {
  return text.normalize('NFKC').replace(/\s+/g, '').replace(/^[*※]+|[*※]+$/g, '');
}

/**
 * Finds the template's header in the first rows of a sheet: every candidate block of rows [first, last] is tried,
 * each sheet column's header path rebuilt from merged group cells and the rows beneath (blank rows skipped), and the
 * block matching the most template columns wins. No fixed row numbers: titles and blank rows may come and go.
 */
export function locateHeader(rows: { row: number; cells: SheetCell[] }[], merges: Merge[], columns: TemplateColumn[]): HeaderMatch | null {
  const grid = headerGrid(rows, merges);
  if (grid.rows.length === 0) return null;
  const wanted = new Map<string, number[]>();
  columns.forEach((c, i) => {
    const key = c.header.map(normalizeHeader).join('\u0001');
    wanted.set(key, [...(wanted.get(key) ?? []), i]);
  });

  // Most template columns matched wins; then the lowest block (its last row nearest the body), then the tallest.
  // Each row of a block must hold the header of some matched column: a stray note beside the table is no header.
  let best: { first: number; last: number; assigned: Map<number, number>; score: number } | null = null;
  for (const last of grid.rows) {
    for (const first of grid.rows) {
      if (first > last || last - first >= MAX_HEADER_DEPTH) continue;
      const assigned = assign(grid, first, last, wanted);
      const score = assigned.size;
      if (score === 0 || !everyRowMatters(grid, first, last, assigned)) continue;
      if (!best || score > best.score || (score === best.score && (last > best.last || (last === best.last && first < best.first)))) {
        best = { first, last, assigned, score };
      }
    }
  }
  if (!best) return null;
  const used = new Set(best.assigned.values());
  const columnMap = [...best.assigned].sort((a, b) => a[0] - b[0]).map(([i, column]) => ({ key: columns[i].key, column }));
  const unknown: HeaderMatch['unknown'] = [];
  for (let c = 1; c <= grid.width; c++) {
    const path = pathOf(grid, best.first, best.last, c, false);
    if (path.length && !used.has(c)) unknown.push({ column: c, header: path.join('／') });
  }
  return {
    headerRows: [best.first, best.last],
    columnMap,
    missing: columns.filter((_, i) => !best.assigned.has(i)),
    unknown,
  };
}

interface Grid {
  /** Row numbers with any text, ascending. */
  rows: number[];
  width: number;
  text: Map<number, string[]>;
}

/** Header texts with each merged range's text copied into every cell it covers. */
function headerGrid(rows: { row: number; cells: SheetCell[] }[], merges: Merge[]): Grid {
  const text = new Map<number, string[]>();
  let width = 0;
  for (const { row, cells } of rows) {
    const line: string[] = [];
    for (const cell of cells) {
      if (cell.column > MAX_HEADER_COLUMNS) break;
      const t = normalizeHeader(cell.text);
      if (t) line[cell.column] = t;
      if (t) width = Math.max(width, cell.column);
    }
    if (line.length) text.set(row, line);
  }
  // Merges may not overlap: a range running into a covered cell is a broken file's and is cut short there. So
  // each scanned cell is filled once at most, however many ranges the file lists.
  const covered = new Set<number>();
  for (const m of merges) {
    const value = text.get(m.top)?.[m.left];
    if (!value || m.top > HEADER_SCAN_ROWS) continue;
    fill: for (let r = m.top; r <= Math.min(m.bottom, HEADER_SCAN_ROWS); r++) {
      for (let c = m.left; c <= Math.min(m.right, width, MAX_HEADER_COLUMNS); c++) {
        if (covered.has(r * 65536 + c)) break fill;
        covered.add(r * 65536 + c);
        const line = text.get(r) ?? [];
        line[c] = value;
        text.set(r, line);
      }
    }
  }
  return { rows: [...text.keys()].sort((a, b) => a - b), width, text };
}

/**
 * A column's header path over rows first..last. With `inherit`, a blank group cell takes the group text on its left
 * when the group has leaves beneath: the shape of a grouped header whose merge was lost (copied without merges).
 */
function pathOf(grid: Grid, first: number, last: number, column: number, inherit: boolean): string[] {
  const path: string[] = [];
  for (let r = first; r <= last; r++) {
    let t = grid.text.get(r)?.[column];
    if (!t && inherit && r < last && hasBelow(grid, r, last, column)) {
      for (let c = column - 1; c >= 1 && !t; c--) {
        if (!hasBelow(grid, r, last, c)) break;
        t = grid.text.get(r)?.[c];
      }
    }
    if (t && path[path.length - 1] !== t) path.push(t);
  }
  return path;
}

function everyRowMatters(grid: Grid, first: number, last: number, assigned: Map<number, number>): boolean {
  for (const r of grid.rows) {
    if (r < first || r > last) continue;
    const line = grid.text.get(r)!;
    let touches = false;
    for (const c of assigned.values()) if (line[c]) touches = true;
    if (!touches) return false;
  }
  return true;
}

const hasBelow = (grid: Grid, row: number, last: number, column: number) => {
  for (let r = row + 1; r <= last; r++) if (grid.text.get(r)?.[column]) return true;
  return false;
};

/** Template column index → sheet column, exact paths first, then paths with inherited group texts. */
function assign(grid: Grid, first: number, last: number, wanted: Map<string, number[]>): Map<number, number> {
  const assigned = new Map<number, number>();
  const taken = new Set<number>();
  for (const inherit of [false, true]) {
    for (let c = 1; c <= grid.width; c++) {
      if (taken.has(c)) continue;
      const candidates = wanted.get(pathOf(grid, first, last, c, inherit).join('\u0001'));
      const i = candidates?.find((k) => !assigned.has(k));
      if (i === undefined) continue;
      assigned.set(i, c);
      taken.add(c);
    }
  }
  return assigned;
}
