// The work tabs beside the ledger: 待完善 (gaps in the department forms) and 本月待走访 (key-group visits), for the
// accounts that keep a grid, a community or a street (departments and administrators have none).

import { visitsDueView } from './visits-due.js';
import { workListView } from './work-list.js';

const ROLES = new Set(['grid_worker', 'community_staff', 'street_office']);

/**
 * @param {{ account: any, dict: any, open: (idNumber: string, field?: string) => Promise<void> }} o
 *   open: a resident in the ledger's one form (the ledger tab is brought forward by the view)
 * @returns {{ id: string, label: string, view: { el: HTMLElement, load: () => Promise<void> } }[]}
 */
export function workTabs({ account, dict, open }) {
  if (!ROLES.has(account.role) || !account.orgUnitCode) return [];
  const canWrite = account.role !== 'street_office';
  return [
    { id: 'work-list', label: '待完善', view: workListView({ unitCode: account.orgUnitCode, open }) },
    { id: 'visits-due', label: '本月待走访', view: visitsDueView({ unitCode: account.orgUnitCode, dict, account, canWrite }) },
  ];
}
