import fs from 'node:fs';
import path from 'node:path';
import { DefinitionReader, join } from '../common/definition/definition-reader.js';
import { DefinitionError } from '../common/errors/definition-error.js';
import type { TemplateSummary } from '../templates/template.loader.js';

export type VisitFrequency = 'month' | 'quarter' | 'year';

/** One key group a grid worker visits: the residents in a form's rows, and how often. */
export interface VisitGroup {
  name: string;
  /** The resident form whose row filter says who belongs to the group (F01 独居老人). */
  form: string;
  frequency: VisitFrequency;
}

export interface VisitSchedule {
  file: string;
  groups: VisitGroup[];
}

export const VISITS_FILE = 'visits.yaml';
const FREQUENCIES = ['month', 'quarter', 'year'] as const;

/**
 * Reads `templates/visits.yaml` (how often each key group must be visited) and checks it against the templates;
 * stops with file, path and reason on the first problem, as the templates do.
 */
export function loadVisitSchedule(dir: string, templates: TemplateSummary[]): VisitSchedule {
  const file = path.join(dir, VISITS_FILE);
  if (!fs.existsSync(file)) throw new DefinitionError(path.relative(process.cwd(), file) || file, '', '文件不存在：重点人群的走访频次须写在此文件中');
  const r = new DefinitionReader(file);
  const root = r.object(r.root, '');
  r.onlyKeys(root, '', ['groups']);
  const list = r.array(root.groups, 'groups');
  if (!list.length) r.fail('groups', '至少要有一类重点人群');
  const forms = new Map(templates.map((t) => [t.code, t.def]));
  const names = new Set<string>();
  const used = new Set<string>();
  const groups = list.map((raw, i) => {
    const at = join('groups', i);
    const o = r.object(raw, at);
    r.onlyKeys(o, at, ['name', 'form', 'frequency']);
    const name = r.string(o, 'name', at)!.trim();
    if (names.has(name)) r.fail(join(at, 'name'), `人群名称 "${name}" 重复`);
    names.add(name);
    const form = r.string(o, 'form', at)!;
    const def = forms.get(form);
    if (!def) return r.fail(join(at, 'form'), `没有代码为 "${form}" 的表单`);
    if (def.rows.kind !== 'rows' || def.rows.entity !== 'resident') r.fail(join(at, 'form'), `表单 ${form} 不是居民表，不能作为重点人群`);
    if (used.has(form)) r.fail(join(at, 'form'), `表单 ${form} 已用于另一类人群`);
    used.add(form);
    const frequency = r.string(o, 'frequency', at, { oneOf: FREQUENCIES }) as VisitFrequency;
    return { name, form, frequency };
  });
  return { file: r.displayName, groups };
}
