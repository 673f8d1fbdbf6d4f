import type { TemplateDraft } from './draft.types.js';

/** The draft as `templates:draft --json` and the page's upload answer it (the documented contract). */
export function draftContract(d: TemplateDraft) {
  const { file: _file, ...layout } = d.layout;
  return {
    code: d.code,
    layout,
    columns: d.columns.map((c) => ({ index: c.index, header: c.header, groups: c.groups, source: c.source, confidence: c.confidence, alternatives: c.alternatives })),
    newFields: d.newFields.map((n) => ({ index: n.index, key: n.key, label: n.label, type: n.type })),
  };
}
