import path from 'node:path';
import { loadDefinitions } from '../../../src/common/definition/definitions.js';
import { formatRow } from '../../../src/views/row-formatter.js';

const TEMPLATES = path.resolve(import.meta.dirname, '../../../templates');

// 性别 and 出生日期 are read from the ID number in place (no regex, once per row): the same answers as the rules in
// GB 11643 — the 17th digit odd for 男, even for 女; a birth date that is no real day gives nothing.
describe('a form row formatted from the ID number', () => {
  let format: (idNumber: unknown) => { gender: unknown; birthDate: unknown };

  beforeAll(async () => {
    const { dictionary, templates } = await loadDefinitions(TEMPLATES);
    const def = templates.find((t) => t.code === 'F01')!.def;
    const at = (key: string) => def.columns.findIndex((c) => c.key === key);
    format = (idNumber) => {
      // The row's own ID number, and the same number in the columns' own aliases (as a page's copies fill them in).
      const raw = { row_id_number: idNumber, v_gender: idNumber, v_birthDate: idNumber, v_idNumber: idNumber };
      const values = formatRow(def.columns, dictionary, raw, { rowNumber: 1, referenceDate: '2026-11-30' });
      return { gender: values[at('gender')], birthDate: values[at('birthDate')] };
    };
  });

  it('reads 男 from an odd 17th digit and 女 from an even one, with the birth date', () => {
    expect(format('500106195003070013')).toEqual({ gender: '男', birthDate: '1950-03-07' });
    expect(format('500106194812310028')).toEqual({ gender: '女', birthDate: '1948-12-31' });
    expect(format('50010619600229002X')).toEqual({ gender: '女', birthDate: '1960-02-29' });
  });

  it('gives nothing for a birth date that is no real day, a non-digit, or a number of another length', () => {
    for (const bad of ['500106195002290013', '500106195013010013', '500106195004310013', '5001061950A3070013', '50010619500307001', null]) {
      expect(format(bad)).toEqual({ gender: null, birthDate: null });
    }
  });
});
