import { loadDictionary } from '../../dictionary/dictionary.loader.js';
import type { Dictionary } from '../../dictionary/dictionary.types.js';
import { loadTemplates, type TemplateSummary } from '../../templates/template.loader.js';

/** Everything under `templates/`: the field dictionary, its code lists and the department templates. */
export interface Definitions {
  dictionary: Dictionary;
  templates: TemplateSummary[];
}

export async function loadDefinitions(templatesDir: string): Promise<Definitions> {
  const dictionary = loadDictionary(templatesDir);
  return { dictionary, templates: await loadTemplates(templatesDir, dictionary) };
}
