// Reporting periods as the server names them (2026-11, 2026-Q4, 2026) and the picker of recent months.

import { h } from './dom.js';
import { todayIso } from '/page/shared/identity/index.js';

/** How many months before this one the picker offers (a late report, a look back). */
const MONTHS_BACK = 6;

/** yyyy-mm moved by n months. */
export function addMonths(month, n) {
  const [y, m] = month.split('-').map(Number);
  const t = y * 12 + (m - 1) + n;
  return `${Math.floor(t / 12)}-${String((t % 12) + 1).padStart(2, '0')}`;
}

export const thisMonth = () => todayIso().slice(0, 7);
/** The period people report by default: the month that has just ended. */
export const lastMonth = () => addMonths(thisMonth(), -1);

export const monthLabel = (month) => `${month.slice(0, 4)}年${Number(month.slice(5, 7))}月`;

/** The period before a report's own: 2026-10 → 2026-09, 2026-Q1 → 2025-Q4, 2026 → 2025 (a form keeps its frequency). */
export function previousPeriod(key) {
  const quarter = /^(\d{4})-Q([1-4])$/.exec(key);
  if (quarter) return quarter[2] === '1' ? `${Number(quarter[1]) - 1}-Q4` : `${quarter[1]}-Q${Number(quarter[2]) - 1}`;
  if (/^\d{4}-\d{2}$/.test(key)) return addMonths(key, -1);
  return String(Number(key) - 1);
}

/** A day and time in the browser's time zone, from the server's ISO instant. */
export function shownTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return `${todayIso(d)} ${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/**
 * The month whose reports are shown: this month and the MONTHS_BACK before it, last month chosen first.
 * @param {{ value: string, onChange: (month: string) => void }} o
 */
export function periodPicker({ value, onChange }) {
  const now = thisMonth();
  const months = Array.from({ length: MONTHS_BACK + 1 }, (_, i) => addMonths(now, -i));
  const note = (m) => (m === now ? '（本月，未结束）' : m === addMonths(now, -1) ? '（上月）' : '');
  const select = h('select', { id: 'report-period', 'aria-describedby': 'report-period-hint' },
    months.map((m) => h('option', { value: m }, `${monthLabel(m)}${note(m)}`)));
  select.value = months.includes(value) ? value : addMonths(now, -1);
  select.addEventListener('change', () => onChange(select.value));
  const el = h('div', { class: 'field period-field' },
    h('label', { for: 'report-period' }, '报送期'), select,
    h('p', { class: 'hint', id: 'report-period-hint' }, '月报按所选月份；季报、年报取该月所在的季度、年度'));
  return { el, value: () => select.value };
}
