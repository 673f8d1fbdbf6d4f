import { onTime, overdue, type ReportSlot, STATUS_NAMES, statusOf } from './reporting.service.js';

export interface FormCompleteness {
  code: string;
  formName: string;
  period: string;
  periodLabel: string;
  dueDate: string;
  expected: number;
  submitted: number;
  approved: number;
  returned: number;
  pending: number;
  overdue: number;
  onTime: number;
  units: { orgUnitCode: string; orgUnitName: string; status: string; statusName: string; onTime: boolean; overdue: boolean; reportId: number | null }[];
}

/** Per form: the org units expected to report and how far each got, counted (pure, from the expected reports). */
export function completeness(slots: ReportSlot[], today: string): FormCompleteness[] {
  const byForm = new Map<string, ReportSlot[]>();
  for (const s of slots) byForm.set(s.def.code, [...(byForm.get(s.def.code) ?? []), s]);
  return [...byForm.values()].map((group) => {
    const [{ def, period }] = group;
    const count = (status: string) => group.filter((s) => statusOf(s) === status).length;
    return {
      code: def.code,
      formName: def.name,
      period: period.key,
      periodLabel: period.label,
      dueDate: period.due,
      expected: group.length,
      submitted: count('submitted'),
      approved: count('approved'),
      returned: count('returned'),
      pending: count('pending'),
      overdue: group.filter((s) => overdue(s, today)).length,
      onTime: group.filter(onTime).length,
      units: group.map((s) => ({
        orgUnitCode: s.unit.code, orgUnitName: s.unit.name, status: statusOf(s), statusName: STATUS_NAMES[statusOf(s)],
        onTime: onTime(s), overdue: overdue(s, today), reportId: s.report?.id ?? null,
      })),
    };
  });
}
