// The field dictionary the shared validator runs on, built from GET /api/dictionary (the server's own rules).

/** @returns {Promise<import('/page/shared/dictionary/dictionary.types.js').Dictionary>} */
export async function loadDictionary() {
  const res = await fetch('/api/dictionary');
  if (!res.ok) throw new Error(`无法读取字段字典（HTTP ${res.status}）`);
  const { sections, fields, codeLists, qualityRules } = await res.json();
  return {
    sections,
    fields,
    /** templates/rules.yaml: the record-level ones run as people type, the cross-record ones come with a save. */
    qualityRules: qualityRules ?? [],
    byKey: new Map(fields.map((f) => [f.key, f])),
    codeLists: new Map(
      codeLists.map((l) => [
        l.key,
        { ...l, byCode: new Map(l.items.map((i) => [i.code, i])), byName: new Map(l.items.map((i) => [i.name, i])) },
      ]),
    ),
  };
}

/** A stored value as people read it: code names, 是/否, staff names; empty as （空）. */
export function shownValue(dict, def, value, staff = []) {
  if (value === null || value === undefined || value === '') return '（空）';
  if (def?.codeList) return dict.codeLists.get(def.codeList)?.byCode.get(String(value))?.name ?? String(value);
  if (def?.type === 'boolean') return value ? '是' : '否';
  if (def?.type === 'staffRef') return staff.find((s) => s.id === value)?.staffName ?? `工作人员 ${value}`;
  return String(value);
}

export const isEmpty = (v) => v === null || v === undefined || v === '';
