import type { Dictionary, EntityName } from '../../dictionary/dictionary.types.js';
import type { ViewEntity } from '../template.types.js';
import type { DraftColumn, NewField } from './draft.types.js';
import { GLOSSARY, TYPE_RULES } from './draft-vocabulary.js';

const GENERIC = /^(姓名|名称|电话|联系电话|手机号码|关系|与本人关系|日期|时间|类别|类型|地址|金额|人数|情况)$/;
const WORDS = Object.keys(GLOSSARY).sort((a, b) => b.length - a.length);
const ENTITY: Record<ViewEntity, EntityName> = { resident: 'resident', visit: 'visit', business: 'business' };
const SECTION: Record<ViewEntity, string> = { resident: 'other', visit: 'visit', business: 'business' };

/** An English camelCase key from a Chinese header: the glossary's words in the header's order (签约医生 → contractDoctor). */
export function englishKey(label: string): string {
  const parts: string[] = [];
  for (let i = 0; i < label.length; ) {
    const word = WORDS.find((w) => label.startsWith(w, i));
    if (word) {
      const en = GLOSSARY[word];
      if (parts[parts.length - 1] !== en) parts.push(en);
      i += word.length;
    } else i++;
  }
  return parts.map((p, i) => (i === 0 ? p.charAt(0).toLowerCase() + p.slice(1) : p.charAt(0).toUpperCase() + p.slice(1))).join('');
}

/** The field a column the dictionary lacks asks for: key, label (是否 dropped, as the dictionary words its yes/no fields), type by wording. */
export function proposeNewField(c: DraftColumn, entity: ViewEntity, dictionary: Dictionary, columns: DraftColumn[]): NewField {
  // A generic leaf (姓名, 联系电话) takes its group's words: 监护人 › 姓名 is 监护人姓名.
  const wording = c.groups.length && GENERIC.test(c.header) ? c.groups[c.groups.length - 1] + c.header : c.header;
  const type = TYPE_RULES.find(([re]) => re.test(c.header))?.[1] ?? 'text';
  const label = wording.replace(/^(是否|有无)/, '').replace(/[？?]$/, '') || wording;
  const taken = (k: string) => dictionary.byKey.has(k) || columns.some((x) => x.key === k);
  const base = englishKey(label.replace(/[（(].*?[）)]/g, '')) || `field${c.index}`;
  let key = base;
  for (let n = 2; taken(key); n++) key = `${base}${n}`;
  // Reserve it at once: two new columns with the same words get different keys.
  c.key = key;
  const sensitive = /医|病|健康|残疾|宗教|救助|低保|特困/.test(label);
  const field: NewField = {
    index: c.index, key, label, type, entity: ENTITY[entity], section: SECTION[entity],
    sensitivity: sensitive ? 'sensitive' : entity === 'business' ? 'ordinary' : 'personal',
  };
  if (type === 'text') field.maxLength = /姓名|名称|名字|医生/.test(label) ? 50 : /地址|住址/.test(label) ? 200 : /备注|说明|情况/.test(label) ? 500 : 100;
  if (type === 'decimal') Object.assign(field, { scale: 2, min: 0 });
  if (type === 'integer') field.min = 0;
  return field;
}
