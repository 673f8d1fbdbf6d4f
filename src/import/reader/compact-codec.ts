import type { CompactRows } from './body-rows.js';
import type { CellValue } from './sheet-stream.js';

/**
 * The body as it crosses from the worker: one joined string of texts and typed arrays, which structured clone
 * copies in one piece (a million separate values would keep the main thread busy deserialising them).
 */
export interface EncodedRows {
  keys: string[];
  columns: number[];
  rowNumbers: Int32Array;
  /** Per cell: what its value is (see Kind). */
  kinds: Uint8Array;
  /** Numbers, and dates as milliseconds, per cell (NaN elsewhere). */
  numbers: Float64Array;
  /** Cells' texts joined with U+0000 (which XML cannot contain), one string per block of BLOCK_ROWS rows. */
  texts: string[];
  /** String values that differ from their trimmed text, in cell order. */
  untrimmed: string[];
  problems: CompactRows['problems'];
}

const Kind = { Null: 0, SameAsText: 1, Untrimmed: 2, Number: 3, True: 4, False: 5, Date: 6 } as const;

export function encodeRows(rows: CompactRows): EncodedRows {
  const n = rows.values.length;
  const kinds = new Uint8Array(n);
  const numbers = new Float64Array(n).fill(NaN);
  const untrimmed: string[] = [];
  for (let i = 0; i < n; i++) {
    const v = rows.values[i];
    if (v === null) kinds[i] = Kind.Null;
    else if (typeof v === 'string') {
      if (v === rows.texts[i]) kinds[i] = Kind.SameAsText;
      else {
        kinds[i] = Kind.Untrimmed;
        untrimmed.push(v);
      }
    } else if (typeof v === 'number') {
      kinds[i] = Kind.Number;
      numbers[i] = v;
    } else if (typeof v === 'boolean') kinds[i] = v ? Kind.True : Kind.False;
    else {
      kinds[i] = Kind.Date;
      numbers[i] = v.getTime();
    }
  }
  return {
    keys: rows.keys,
    columns: rows.columns,
    rowNumbers: Int32Array.from(rows.rowNumbers),
    kinds,
    numbers,
    texts: blocks(rows.texts, rows.keys.length * BLOCK_ROWS),
    untrimmed,
    problems: rows.problems,
  };
}

/** Rows per text block: the main thread splits one block per turn of its event loop. */
export const BLOCK_ROWS = 5000;

function blocks(texts: string[], size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < texts.length; i += size) out.push(texts.slice(i, i + size).join('\u0000'));
  return out;
}

/** The buffers to transfer rather than copy. */
export const transferablesOf = (e: EncodedRows): ArrayBuffer[] => [e.rowNumbers.buffer, e.kinds.buffer, e.numbers.buffer] as ArrayBuffer[];

/** Cell values and texts for the rows being rebuilt on the main thread, block by block, cells in order. */
export function decoder(e: EncodedRows): { texts(block: number): string[]; value(i: number, text: string): CellValue } {
  let next = 0;
  return {
    texts: (block: number) => e.texts[block].split('\u0000'),
    value(i: number, text: string): CellValue {
      switch (e.kinds[i]) {
        case Kind.SameAsText:
          return text;
        case Kind.Untrimmed:
          return e.untrimmed[next++];
        case Kind.Number:
          return e.numbers[i];
        case Kind.True:
          return true;
        case Kind.False:
          return false;
        case Kind.Date:
          return new Date(e.numbers[i]);
        default:
          return null;
      }
    },
  };
}
