import { ValidationFailedError } from '../common/errors/domain-errors.js';

/** How often a form is reported. */
export type Frequency = 'month' | 'quarter' | 'year';

/** One reporting period: `2026-11`, `2026-Q4` or `2026`, with its first and last day and its due date. */
export interface Period {
  key: string;
  frequency: Frequency;
  from: string;
  to: string;
  /** The last day to report on time: the due day of the month after the period. */
  due: string;
  /** In Chinese, for people: 2026年11月, 2026年第4季度, 2026年度. */
  label: string;
}

const iso = (y: number, m: number, d: number) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
const lastDay = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

function build(frequency: Frequency, year: number, firstMonth: number, months: number, dueDay: number): Period {
  const lastMonth = firstMonth + months - 1;
  const [dy, dm] = lastMonth === 12 ? [year + 1, 1] : [year, lastMonth + 1];
  const q = Math.ceil(firstMonth / 3);
  return {
    key: frequency === 'month' ? `${year}-${String(firstMonth).padStart(2, '0')}` : frequency === 'quarter' ? `${year}-Q${q}` : String(year),
    frequency,
    from: iso(year, firstMonth, 1),
    to: iso(year, lastMonth, lastDay(year, lastMonth)),
    due: iso(dy, dm, Math.min(dueDay, lastDay(dy, dm))),
    label: frequency === 'month' ? `${year}年${firstMonth}月` : frequency === 'quarter' ? `${year}年第${q}季度` : `${year}年度`,
  };
}

/** The period of `frequency` that contains a day (yyyy-mm-dd). */
export function periodContaining(frequency: Frequency, day: string, dueDay: number): Period {
  const [y, m] = day.split('-').map(Number);
  if (frequency === 'month') return build('month', y, m, 1, dueDay);
  if (frequency === 'quarter') return build('quarter', y, Math.floor((m - 1) / 3) * 3 + 1, 3, dueDay);
  return build('year', y, 1, 12, dueDay);
}

const NAMES: Record<Frequency, string> = { month: '月报（yyyy-mm，如 2026-11）', quarter: '季报（yyyy-Qn，如 2026-Q4）', year: '年报（yyyy，如 2026）' };

/**
 * A period as a client writes it, for a form reported with `frequency`. A month inside a quarter or year names
 * that quarter or year (a street asking for 2026-11 gets the quarterly forms' 2026-Q4), so one period argument
 * serves every form; a quarter or a year for a monthly form is refused.
 */
export function parsePeriod(frequency: Frequency, text: string, dueDay: number, path: (string | number)[] = ['period']): Period {
  const t = text.trim().toUpperCase();
  const month = /^(\d{4})-(\d{2})$/.exec(t);
  const quarter = /^(\d{4})-Q([1-4])$/.exec(t);
  const year = /^(\d{4})$/.exec(t);
  if (month && Number(month[2]) >= 1 && Number(month[2]) <= 12) return periodContaining(frequency, `${t}-01`, dueDay);
  if (quarter && frequency !== 'month') return periodContaining(frequency, iso(Number(quarter[1]), (Number(quarter[2]) - 1) * 3 + 1, 1), dueDay);
  if (year && frequency === 'year') return periodContaining('year', `${t}-01-01`, dueDay);
  throw new ValidationFailedError([{ path, code: 'INVALID_PERIOD', message: `报送期"${text}"无效：此表为${NAMES[frequency]}` }]);
}

/** The period of the same frequency just before one (2026-11 → 2026-10, 2026-Q1 → 2025-Q4). */
export function periodBefore(period: Period, dueDay: number): Period {
  const [y, m] = period.from.split('-').map(Number);
  return periodContaining(period.frequency, m === 1 ? iso(y - 1, 12, 1) : iso(y, m - 1, 1), dueDay);
}
