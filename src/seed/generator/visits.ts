// 走访 records: the grid's 网格员 visits each key-group person 1–2 times a month, this month and the two before.
import { ageOn, daysInMonth, iso, maxDate, monthStartBefore, randomDate } from './dates.js';
import type { Ctx } from './context.js';
import type { KeyPerson } from './residents.js';
import * as text from './texts.js';
import type { VisitRow } from './types.js';

/** Is the person in one of the three key groups (F01–F03) on `date`? */
export function inKeyGroupOn(p: KeyPerson, date: string): boolean {
  if (p.prone) return true;
  return (p.livingAlone || p.withoutFamily) && ageOn(p.birthDate, date) >= 60;
}

export function* visitsFor(ctx: Ctx, people: KeyPerson[], firstId: number): Generator<VisitRow> {
  const { dice, today } = ctx;
  let id = firstId;
  for (const p of people) {
    for (let back = 2; back >= 0; back--) {
      const [y, m] = monthStartBefore(today, back);
      const from = maxDate(iso(y, m, 1), p.registeredOn);
      const to = back === 0 ? today : iso(y, m, daysInMonth(y, m));
      if (from > to) continue;
      const dates = new Set<string>();
      const wanted = dice.chance(0.3) ? 2 : 1;
      for (let tries = 0; dates.size < wanted && tries < 6; tries++) dates.add(randomDate(dice, from, to));
      for (const visitDate of [...dates].sort()) {
        if (!inKeyGroupOn(p, visitDate)) continue;
        const method = p.healthStatus === '4' ? '1' : dice.weighted([['1', 75], ['2', 20], ['3', 5]]);
        const problem = dice.chance(0.18) ? dice.pick(text.PROBLEMS) : null;
        const physical = p.prone && p.healthStatus !== '1' && dice.chance(0.6)
          ? dice.pick(text.PHYSICAL_COGNITIVE)
          : dice.pick(text.PHYSICAL_BY_HEALTH[p.healthStatus ?? '2']);
        const living = p.livingArrangement === '1'
          ? text.LIVING_ALONE
          : p.livingArrangement === '5' ? text.LIVING_INSTITUTION : text.LIVING_WITH_FAMILY;
        yield {
          id: id++,
          residentId: p.id,
          staffId: ctx.gridWorkers[p.gridIndex],
          visitDate,
          visitMethod: method,
          physicalCondition: dice.chance(0.95) ? physical : null,
          livingCondition: dice.chance(0.95) ? dice.pick(living) : null,
          problemsFound: problem,
          disposition: problem ? dice.weighted([['1', 55], ['2', 45]]) : '3',
          visitRemarks: method === '2' && dice.chance(0.3) ? '电话回访' : dice.chance(0.1) ? dice.pick(text.VISIT_REMARKS) : null,
        };
      }
    }
  }
}
