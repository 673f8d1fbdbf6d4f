// The work tabs beside the ledger: 概况 (the street's or community's dashboard: dashboard.js), 待完善 (gaps in the
// department forms) and 本月待走访 (key-group visits), for the accounts that keep a grid, a community or a street;
// an administrator has 概况 for any street; departments have none.

import { dashboardView } from './dashboard.js';
import { visitsDueView } from './visits-due.js';
import { workListView } from './work-list.js';

const ROLES = new Set(['grid_worker', 'community_staff', 'street_office']);
const DASHBOARD = new Set(['community_staff', 'street_office', 'admin']);

/**
 * @param {{ account: any, dict: any, open: (idNumber: string, field?: string) => Promise<void> }} o
 *   open: a resident in the ledger's one form (the ledger tab is brought forward by the view)
 * @returns {{ id: string, label: string, view: { el: HTMLElement, load: () => Promise<void> } }[]}
 */
export function workTabs({ account, dict, open }) {
  const tabs = [];
  if (DASHBOARD.has(account.role) && (account.orgUnitCode || account.role === 'admin')) tabs.push({ id: 'dashboard', label: '概况', view: dashboardView({ account }) });
  if (!ROLES.has(account.role) || !account.orgUnitCode) return tabs;
  const canWrite = account.role !== 'street_office';
  return [
    ...tabs,
    { id: 'work-list', label: '待完善', view: workListView({ unitCode: account.orgUnitCode, open }) },
    { id: 'visits-due', label: '本月待走访', view: visitsDueView({ unitCode: account.orgUnitCode, dict, account, canWrite }) },
  ];
}
