// Finding a resident by name or ID number in the chosen grid (or community, street), and starting a new one.

import { gql, errorText } from './api.js';
import { h, fill, say } from './dom.js';

const SEARCH = `query ($org: String!, $text: String!) { searchResidents(orgUnit: $org, text: $text) { id idNumber name gender age gridCode currentAddress status } }`;

/**
 * @param {{ scope: () => any, canWrite: boolean, onOpen: (idNumber: string) => void, onNew: () => void }} o
 */
export function searchPanel({ scope, canWrite, onOpen, onNew }) {
  const input = h('input', { id: 'search-text', type: 'search', autocomplete: 'off', enterkeyhint: 'search', 'aria-describedby': 'search-hint' });
  const results = h('ul', { class: 'results', id: 'search-results', 'aria-live': 'polite' });

  async function search(event) {
    event.preventDefault();
    const text = input.value.trim();
    const unit = scope();
    if (!text) return input.focus();
    if (!unit) return say('请先选择区划', 'error');
    try {
      const found = (await gql(SEARCH, { org: unit.code, text })).searchResidents;
      fill(results, found.length
        ? found.map((r) => h('li', {}, h('button', { type: 'button', class: 'result-item', onclick: () => onOpen(r.idNumber) },
            h('strong', {}, r.name),
            r.status === '已注销' ? h('span', { class: 'badge badge-left' }, '已注销') : null,
            h('span', {}, `${r.gender === '1' ? '男' : r.gender === '2' ? '女' : ''} ${r.age ?? ''}岁`),
            h('span', { class: 'mono' }, r.idNumber),
            h('span', { class: 'muted' }, r.currentAddress))))
        : h('li', { class: 'muted' }, `${unit.name}没有找到"${text}"。${canWrite ? '可以"登记新居民"。' : ''}`));
    } catch (e) {
      say(errorText(e), 'error');
    }
  }

  return h('section', { class: 'panel search', 'aria-labelledby': 'search-title' },
    h('h2', { id: 'search-title' }, '查找居民'),
    h('form', { role: 'search', onsubmit: search, class: 'search-form' },
      h('label', { for: 'search-text' }, '姓名或公民身份号码'),
      h('div', { class: 'inline' }, input, h('button', { type: 'submit' }, '查找')),
      h('p', { class: 'hint', id: 'search-hint' }, '姓名的一部分，或身份证号码的全部或末几位')),
    results,
    canWrite ? h('button', { type: 'button', class: 'primary wide', id: 'new-resident', onclick: onNew }, '登记新居民') : null);
}
