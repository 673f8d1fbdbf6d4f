import { loadDictionary } from '../../dictionary/dictionary.loader.js';
import type { Dictionary } from '../../dictionary/dictionary.types.js';
import type { QualityRule } from '../../quality/quality-rules.js';
import { loadQualityRules } from '../../quality/quality-rules.loader.js';
import { loadTemplates, type TemplateSummary } from '../../templates/template.loader.js';
import { loadVisitSchedule, type VisitSchedule } from '../../visits-due/visit-schedule.loader.js';

/** Everything under `templates/`: the field dictionary, its code lists, the department templates, the quality rules. */
export interface Definitions {
  dictionary: Dictionary;
  templates: TemplateSummary[];
  /** How often each key group must be visited (templates/visits.yaml). */
  visits: VisitSchedule;
  /** Data-quality rules (templates/rules.yaml). */
  rules: QualityRule[];
}

export async function loadDefinitions(templatesDir: string): Promise<Definitions> {
  const dictionary = loadDictionary(templatesDir);
  const templates = await loadTemplates(templatesDir, dictionary);
  return { dictionary, templates, visits: loadVisitSchedule(templatesDir, templates), rules: loadQualityRules(templatesDir, dictionary) };
}
