// The reporting cycle's tabs beside the ledger: what each role does with a period's reports (一表流转).
//   community: 本期报表 · street: 待审核 (and its own summary), 报送情况 · department: 已收到 (a district reviewer: 待审核)

import { errorText, gql } from './api.js';
import { h, fill, say } from './dom.js';
import { completenessView } from './completeness.js';
import { lastMonth, periodPicker } from './periods.js';
import { receivedView } from './received.js';
import { ownReportsView } from './reports.js';
import { reviewView } from './review.js';

const SETUP = `query ($c: String!) { orgUnit(code: $c) { code name level } templates { code name reviewedBy filledBy } }`;

/** Two views shown as one (the street's 待审核 and the summary it submits itself). */
const both = (a, b) => ({ el: h('div', { class: 'view-pair' }, a.el, b.el), load: (p) => Promise.all([a.load(p), b.load(p)]) });

/** The reporting tabs of an account: [{ id, label, view }] (none for a grid worker or an administrator). */
async function tabsFor(account) {
  if (!['community_staff', 'street_office', 'department'].includes(account.role) || !account.orgUnitCode) return [];
  const { orgUnit: unit, templates } = await gql(SETUP, { c: account.orgUnitCode });
  const forms = new Map(templates.map((t) => [t.code, t]));
  if (account.role === 'community_staff') {
    return [{ id: 'reports', label: '本期报表', view: ownReportsView({ unitCode: unit.code, title: '本期报表', forms }) }];
  }
  if (account.role === 'street_office') {
    const own = ownReportsView({ unitCode: unit.code, title: '本街道汇总表（报区县审核）', forms, empty: '本期没有由街道报送的汇总表。' });
    return [
      { id: 'review', label: '待审核', view: both(reviewView({ unitCode: unit.code, title: '待审核（各社区报表）' }), own) },
      { id: 'completeness', label: '报送情况', view: completenessView({ unit }) },
    ];
  }
  const tabs = [{ id: 'received', label: '已收到', view: receivedView({ unitCode: unit.code }) }];
  // A district department reviews the street summaries of its forms (e.g. F09 by 区网格化服务管理中心).
  if (unit.level === 'district' && templates.some((t) => t.reviewedBy === 'district')) {
    tabs.push({ id: 'review', label: '待审核', view: reviewView({ unitCode: unit.code, title: '待审核（各街道报表）' }) });
  }
  return tabs;
}

/**
 * The page after login: the ledger (as workspace.js built it), the work tabs (待完善, 本月待走访: work-tabs.js) and the
 * account's reporting tabs. Without any, the ledger alone. The ledger stays in the page while another tab shows
 * (hidden), so a form being typed is kept. A `ybt:show-tab` event (detail: the tab's id), bubbling from a view, brings a tab forward.
 * @param {{ account: any, ledger: HTMLElement, work?: { id: string, label: string, view: any }[] }} o
 *   work: tabs with no reporting period (they load without one)
 */
export async function withReporting({ account, ledger, work = [] }) {
  const reportTabs = await tabsFor(account).catch((e) => e);
  if (reportTabs instanceof Error) {
    // The ledger still works: say why the reports are missing instead of showing nothing.
    const note = reportTabs.code === 'UNAUTHENTICATED' ? null : h('p', { class: 'panel error-block', role: 'alert' }, `报表功能暂不可用：${errorText(reportTabs)}（刷新页面重试）`);
    return h('div', {}, note, work.length ? await withReporting({ account: { ...account, role: 'none' }, ledger, work }) : ledger);
  }
  const tabs = [...work.map((t) => ({ ...t, noPeriod: true })), ...reportTabs];
  if (!tabs.length) return ledger;
  let period = lastMonth();
  let active = 'ledger';
  const all = [{ id: 'ledger', label: account.role === 'department' ? '表单导出' : '台账' }, ...tabs];
  const buttons = all.map((t) => h('button', { type: 'button', role: 'tab', id: `tab-${t.id}`, 'aria-controls': `pane-${t.id}`, 'aria-selected': String(t.id === active), tabindex: t.id === active ? '0' : '-1' }, t.label));
  const ledgerPane = h('div', { id: 'pane-ledger', role: 'tabpanel', 'aria-labelledby': 'tab-ledger' }, ledger);
  const panes = tabs.map((t) => h('div', { id: `pane-${t.id}`, role: 'tabpanel', 'aria-labelledby': `tab-${t.id}`, hidden: true }, t.view.el));
  const picker = periodPicker({ value: period, onChange: (m) => { period = m; show(active); } });
  const reporting = h('div', { class: 'reporting', hidden: true }, h('div', { class: 'panel period-bar' }, picker.el), panes);

  /** Shows a tab; a reporting tab loads its period afresh each time (others may have acted meanwhile). */
  function show(id) {
    if (id !== active) say(''); // a message about the tab left behind would read as one about this one
    active = id;
    buttons.forEach((b, i) => {
      b.setAttribute('aria-selected', String(all[i].id === id));
      b.tabIndex = all[i].id === id ? 0 : -1;
    });
    ledgerPane.hidden = id !== 'ledger';
    reporting.hidden = id === 'ledger';
    picker.el.parentElement.hidden = !!tabs.find((t) => t.id === id)?.noPeriod; // 报送期 is the reports' choice only
    tabs.forEach((t, i) => { panes[i].hidden = t.id !== id; });
    document.title = `${all.find((t) => t.id === id).label} · 一表通`;
    return tabs.find((t) => t.id === id)?.view.load(period);
  }

  buttons.forEach((b, i) => {
    b.addEventListener('click', () => show(all[i].id));
    // Arrow keys move between tabs (the ARIA tabs pattern).
    b.addEventListener('keydown', (e) => {
      const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
      if (!step) return;
      const next = buttons[(i + step + buttons.length) % buttons.length];
      next.focus();
      next.click();
    });
  });
  const root = fill(h('div', { class: 'with-reporting' }), h('div', { class: 'tabs', role: 'tablist', 'aria-label': '页面' }, buttons), ledgerPane, reporting);
  // A tab's view asks for another tab (the work list opening a resident in the ledger): the event bubbles up to here.
  root.addEventListener('ybt:show-tab', (e) => { if (all.some((t) => t.id === e.detail)) show(e.detail); });
  return root;
}
