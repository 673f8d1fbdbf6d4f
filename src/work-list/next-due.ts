import { periodBefore, periodContaining, type Period } from '../reporting/period.js';
import type { TemplateDef } from '../templates/template.types.js';

/**
 * The period of a form whose report is due next (its reporting block): the period that has just ended while its
 * due date is still ahead (on 5 December, November's report due the 10th), otherwise the period running today.
 * Pure.
 */
export function nextDue(def: TemplateDef, today: string): Period {
  const { frequency, dueDay } = def.reporting;
  const current = periodContaining(frequency, today, dueDay);
  const previous = periodBefore(current, dueDay);
  return previous.due >= today ? previous : current;
}
