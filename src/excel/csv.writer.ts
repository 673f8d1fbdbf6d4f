import type { Writable } from 'node:stream';

/**
 * A value that Excel would read as a formula gets a leading apostrophe, so it stays text. Full-width ＝＋－＠ count
 * too: Excel and WPS with a Chinese IME may fold them to their ASCII forms when the file is opened or re-typed.
 */
const FORMULA_START = /^[=+\-@\t\r＝＋－＠]/u;

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV with a UTF-8 BOM (so Excel reads Chinese), the header path joined with ／, then the rows. */
export async function writeCsv(out: Writable, headers: string[][], rows: AsyncIterable<unknown[]>): Promise<number> {
  const write = (line: string) => new Promise<void>((resolve) => (out.write(line) ? resolve() : out.once('drain', resolve)));
  await write(`\uFEFF${headers.map((h) => csvCell(h.join('／'))).join(',')}\r\n`);
  let n = 0;
  for await (const row of rows) {
    await write(`${row.map(csvCell).join(',')}\r\n`);
    n++;
  }
  return n;
}
