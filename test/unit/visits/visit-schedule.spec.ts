import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadDefinitions } from '../../../src/common/definition/definitions.js';
import { DefinitionError } from '../../../src/common/errors/definition-error.js';

const TEMPLATES = path.resolve(import.meta.dirname, '../../../templates');

/** A copy of templates/ with visits.yaml replaced (or removed: null). */
function withVisits(text: string | null): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yibiaotong-visits-'));
  fs.cpSync(TEMPLATES, dir, { recursive: true });
  if (text === null) fs.rmSync(path.join(dir, 'visits.yaml'));
  else fs.writeFileSync(path.join(dir, 'visits.yaml'), text);
  return dir;
}

async function failure(dir: string): Promise<DefinitionError> {
  try {
    await loadDefinitions(dir);
  } catch (e) {
    if (e instanceof DefinitionError) return e;
    throw e;
  }
  throw new Error('expected visits.yaml to be rejected');
}

describe('templates/visits.yaml (how often each key group is visited)', () => {
  it('loads the three key groups, monthly', async () => {
    const { visits } = await loadDefinitions(TEMPLATES);
    expect(visits.groups).toEqual([
      { name: '独居老人', form: 'F01', frequency: 'month' },
      { name: '孤寡老人', form: 'F02', frequency: 'month' },
      { name: '易走失人员', form: 'F03', frequency: 'month' },
    ]);
  });

  it.each([
    ['groups:\n  - { name: 独居老人, form: F01, frequency: weekly }\n', 'groups[0].frequency', '"weekly" 不是可用的值：month、quarter、year'],
    ['groups:\n  - { name: 独居老人, form: F99, frequency: month }\n', 'groups[0].form', '没有代码为 "F99" 的表单'],
    ['groups:\n  - { name: 走访, form: F04, frequency: month }\n', 'groups[0].form', '表单 F04 不是居民表，不能作为重点人群'],
    ['groups:\n  - { name: 独居老人, form: F01, frequency: month }\n  - { name: 独居老人, form: F02, frequency: month }\n', 'groups[1].name', '人群名称 "独居老人" 重复'],
    ['groups:\n  - { name: 甲, form: F01, frequency: month }\n  - { name: 乙, form: F01, frequency: month }\n', 'groups[1].form', '表单 F01 已用于另一类人群'],
    ['groups:\n  - { name: 独居老人, form: F01, every: month }\n', 'groups[0].every', '未知的键 "every"'],
    ['groups: []\n', 'groups', '至少要有一类重点人群'],
    ['groups:\n  - { name: 独居老人, form: F01, frequency: month\n', '', '不是有效的 YAML'],
  ])('refuses %j at %s', async (text, at, reason) => {
    const e = await failure(withVisits(text));
    expect(e.file).toMatch(/visits\.yaml$/);
    expect(e.at).toBe(at);
    expect(e.reason).toContain(reason);
  });

  it('refuses to start without the file', async () => {
    const e = await failure(withVisits(null));
    expect(e.file).toMatch(/visits\.yaml$/);
    expect(e.reason).toContain('文件不存在');
  });
});
