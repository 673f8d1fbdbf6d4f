/** How a cell's number format shows a number: as a date (with or without the day) or with fixed decimals. */
export interface NumberFormat {
  date: boolean;
  /** A date format without a day (yyyy-mm, yyyy"年"m"月"): the cell says a month. */
  monthOnly: boolean;
  /** Fixed decimals ("0.00" → 2); undefined for General. */
  places?: number;
}

export const GENERAL: NumberFormat = { date: false, monthOnly: false };

/** Built-in date formats: 14–22 and 45–47 everywhere; 27–36 and 50–58 are the CJK locales' dates (yyyy"年"m"月"…). */
const BUILTIN_DATE = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);
/** Of those, the ones without a day: mmm-yy (17), yyyy"年"m"月" (27, 36, 50, 55, 57 in zh-CN). */
const BUILTIN_MONTH = new Set([17, 27, 36, 50, 55, 57]);
const BUILTIN_PLACES: Record<number, number> = { 1: 0, 2: 2, 3: 0, 4: 2, 9: 0, 10: 2, 11: 2, 37: 0, 38: 0, 39: 2, 40: 2 };

/** Classifies a number format by id and (for custom ids ≥ 164) its format code. */
export function classifyFormat(id: number, code: string | undefined): NumberFormat {
  if (code === undefined) {
    if (BUILTIN_DATE.has(id)) return { date: true, monthOnly: BUILTIN_MONTH.has(id) };
    return id in BUILTIN_PLACES ? { date: false, monthOnly: false, places: BUILTIN_PLACES[id] } : GENERAL;
  }
  // First section only; quoted literals, escapes and [colour]/[$-804] brackets say nothing about the kind.
  const section = code.split(';')[0];
  if (/^general$/i.test(section.trim()) || section.includes('@')) return GENERAL;
  const bare = section.replace(/"[^"]*"/g, '').replace(/\\./g, '').replace(/\[[^\]]*\]/g, '').replace(/_.|\*./g, '');
  // m alone is a month, m next to h or s (h:mm, mm:ss) is minutes: a time of day is not a date.
  if (/[yd]/i.test(bare) || (/m/i.test(bare) && !/[hs]/i.test(bare))) return { date: true, monthOnly: !/d/i.test(bare) };
  if (/[%eE]/.test(bare)) return GENERAL;
  const fixed = /^[#,0]*0(?:\.(0+))?$/.exec(bare.replace(/[^#,0.]/g, ''));
  return fixed ? { date: false, monthOnly: false, places: fixed[1]?.length ?? 0 } : GENERAL;
}

const DAY_MS = 86_400_000;

/** An Excel serial date as a UTC Date (to the second); null when out of Excel's range. */
export function serialToDate(serial: number, date1904: boolean): Date | null {
  if (!Number.isFinite(serial) || serial < 0 || serial >= 2_958_466) return null;
  // The 1900 system counts a 29 February 1900 that never was: serials before 1 March 1900 are one day early.
  const days = !date1904 && serial < 61 ? serial + 1 : serial;
  const epoch = date1904 ? Date.UTC(1904, 0, 1) : Date.UTC(1899, 11, 30);
  return new Date(epoch + Math.round(days * 86_400) * 1000);
}

/** yyyy-mm-dd (or yyyy-mm for a month-only format), with hh:mm when the cell holds a time of day too. */
export function dateText(d: Date, monthOnly: boolean): string {
  const iso = d.toISOString();
  if (monthOnly) return iso.slice(0, 7);
  const time = d.getTime() % DAY_MS;
  return time === 0 ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, time % 60_000 === 0 ? 16 : 19)}`;
}

/** A number as Excel shows it in General (15 significant digits) or with its fixed decimals. */
export function numberText(n: number, places: number | undefined): string {
  if (places !== undefined && Math.abs(n) < 1e15) return n.toFixed(places);
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  return String(Number(n.toPrecision(15)));
}
