// Small charts drawn by the page itself (no library, nothing from outside): horizontal SVG bars and a heat-map table.
// Every chart says what it shows in words too: the SVG's <title> and <desc>, each bar's number as text beside it.

import { h, uid } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';

/** An SVG element; children are nodes or strings (as text nodes). */
function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) if (value !== undefined && value !== null) el.setAttribute(name, String(value));
  for (const c of children.flat()) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

// The drawing's own units: 320 wide, as a phone's column; the SVG scales to its box (CSS caps it on a desk).
const WIDTH = 320;
const ROW = 28;
const LABEL = 92;
const VALUE = 92;
const BAR = WIDTH - LABEL - VALUE - 8;
const MAX_LABEL = 7;

/**
 * One horizontal bar per row: the name on the left, the bar, its figure on the right (also read out from <desc>).
 * @param {{ title: string, rows: { key: string, label: string, value: number, text: string }[], max: number, kind?: string }} o
 *   max: the value of a full bar (1 for ratios); kind: a class for the bars' colour (e.g. 'gaps', 'coverage')
 * @returns {SVGSVGElement}
 */
export function barChart({ title, rows, max, kind = '' }) {
  const id = uid('chart');
  const height = rows.length * ROW + 4;
  const short = (label) => (label.length > MAX_LABEL ? `${label.slice(0, MAX_LABEL - 1)}…` : label);
  return s('svg', { class: `chart bars ${kind}`.trim(), role: 'img', 'aria-labelledby': `${id}-title ${id}-desc`, viewBox: `0 0 ${WIDTH} ${height}`, width: '100%', preserveAspectRatio: 'xMinYMin meet' },
    s('title', { id: `${id}-title` }, title),
    s('desc', { id: `${id}-desc` }, rows.map((r) => `${r.label}：${r.text}`).join('；')),
    rows.map((r, i) => {
      const y = i * ROW + 4;
      const width = max > 0 ? Math.max(0, Math.min(1, r.value / max)) * BAR : 0;
      return s('g', { class: 'bar-row', 'data-key': r.key, 'data-value': r.value },
        s('title', {}, `${r.label}：${r.text}`),
        s('text', { x: 0, y: y + 15, class: 'chart-label' }, short(r.label)),
        s('rect', { x: LABEL, y: y + 4, width: BAR, height: 14, rx: 2, class: 'track' }),
        s('rect', { x: LABEL, y: y + 4, width: width.toFixed(1), height: 14, rx: 2, class: 'bar' }),
        s('text', { x: WIDTH, y: y + 15, 'text-anchor': 'end', class: 'chart-value' }, r.text));
    }));
}

/**
 * A square table of pairs (departments × departments) whose cells are shaded by their number: the darker, the more.
 * Columns carry numbers only (the rows name them), so ten departments fit a phone's width.
 * @param {{ caption: string, names: string[], value: (a: string, b: string) => number | null, describe: (a: string, b: string, n: number) => string }} o
 *   value: null on the diagonal
 */
export function heatTable({ caption, names, value, describe }) {
  const cells = names.flatMap((a) => names.map((b) => value(a, b) ?? 0));
  const max = Math.max(1, ...cells);
  const cell = (a, b) => {
    const n = value(a, b);
    if (n === null) return h('td', { class: 'heat-self', 'aria-label': `${a}（本部门）` }, '—');
    const level = n / max;
    return h('td', {
      class: level > 0.55 ? 'heat dark' : 'heat',
      style: `background-color: rgba(29, 95, 168, ${(0.08 + level * 0.87).toFixed(2)})`,
      title: describe(a, b, n),
      dataset: { a, b, value: String(n) },
    }, String(n));
  };
  return h('div', { class: 'table-wrap' }, h('table', { class: 'heat-map' },
    h('caption', {}, caption),
    // Fixed layout takes the widths from here: room for the names, the rest shared by the numbered columns.
    h('colgroup', {}, h('col', { class: 'heat-names' }), names.map(() => h('col', {}))),
    h('thead', {}, h('tr', {}, h('td', {}), names.map((name, i) => h('th', { scope: 'col', title: name },
      h('span', { 'aria-hidden': 'true' }, String(i + 1)), h('span', { class: 'visually-hidden' }, name))))),
    h('tbody', {}, names.map((a, i) => h('tr', {}, h('th', { scope: 'row' }, h('span', { class: 'heat-no', 'aria-hidden': 'true' }, `${i + 1} `), a), names.map((b) => cell(a, b)))))));
}
