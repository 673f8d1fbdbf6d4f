import { loadDictionary } from '../../dictionary/dictionary.loader.js';
import type { Dictionary } from '../../dictionary/dictionary.types.js';
import type { QualityRule } from '../../quality/quality-rules.js';
import { loadQualityRules } from '../../quality/quality-rules.loader.js';
import { loadTemplates, type TemplateSummary } from '../../templates/template.loader.js';

/** Everything under `templates/`: the field dictionary, its code lists, the department templates, the quality rules. */
export interface Definitions {
  dictionary: Dictionary;
  templates: TemplateSummary[];
  rules: QualityRule[];
}

export async function loadDefinitions(templatesDir: string): Promise<Definitions> {
  const dictionary = loadDictionary(templatesDir);
  return { dictionary, templates: await loadTemplates(templatesDir, dictionary), rules: loadQualityRules(templatesDir, dictionary) };
}
