import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { parse } from 'yaml';
import { loadDefinitions } from '../../src/common/definition/definitions.js';
import { COMMUNITY, DISTRICT, insertOrgFixture } from '../support/fixtures.js';
import { createTestApp, isPostgres, type TestApp } from '../support/test-app.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const V02 = path.resolve(ROOT, '../shared/forms/varied/V02_elderly_health_management.xlsx');
const V02_NAME = 'V02_elderly_health_management.xlsx';

describe(`drafting a template from a blank form on the server (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  let dir: string;
  const blank = fs.readFileSync(V02);
  const answers = JSON.parse(fs.readFileSync(path.resolve(ROOT, '../shared/forms/varied/answers.json'), 'utf8')).V02 as { header: string; answer: string }[];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yibiaotong-templates-'));
    fs.cpSync(path.join(ROOT, 'templates'), dir, { recursive: true });
    // templates/ as it was when V02 arrived: without the V forms and the family-doctor fields added for V02.
    for (const code of ['V01', 'V02', 'V03']) for (const f of [`${code}.yaml`, `forms/${code}.xlsx`]) fs.rmSync(path.join(dir, f));
    const dictionary = fs.readFileSync(path.join(dir, 'dictionary.yaml'), 'utf8');
    const withoutV02 = dictionary.replace(/\n {2}- \{ key: familyDoctorSigned[\s\S]*?家庭医生的姓名" \}/, '');
    expect(withoutV02.length).toBeLessThan(dictionary.length);
    fs.writeFileSync(path.join(dir, 'dictionary.yaml'), withoutV02);
    t = await createTestApp({ env: { TEMPLATES_DIR: dir } });
    await insertOrgFixture(t.dataSource);
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const post = (url: string, auth: Record<string, string>, fields: Record<string, string> = {}) => {
    let req = request(t.app.getHttpServer()).post(url).set(auth).attach('file', blank, V02_NAME);
    for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
    return req;
  };
  const files = () => fs.readdirSync(dir).sort().join(',') + fs.readdirSync(path.join(dir, 'forms')).sort().join(',') + fs.readFileSync(path.join(dir, 'dictionary.yaml'), 'utf8');

  it('drafts the uploaded blank form: the --json contract, plus the YAML', async () => {
    const res = await post('/templates/drafts', t.auth);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ code: 'V02', layout: { kind: 'rows', entity: 'resident', title: '____社区60岁以上老年人健康管理登记表' } });
    expect(res.body.columns.map((c: any) => c.header)).toEqual(answers.map((a) => a.header));
    for (const c of res.body.columns) expect(Object.keys(c).sort()).toEqual(['alternatives', 'confidence', 'groups', 'header', 'index', 'source']);
    // Columns the answers name as dictionary fields come back as { field: key }.
    answers.forEach((a, i) => {
      if (/^[a-z][A-Za-z]*$/.test(a.answer) && a.answer !== 'age' && a.answer !== 'rowNumber') expect(res.body.columns[i].source.field).toBe(a.answer);
    });
    const newIndexes = answers.flatMap((a, i) => (a.answer.startsWith('NEW:') ? [i + 1] : []));
    expect(res.body.newFields.map((n: any) => n.index)).toEqual(newIndexes);
    expect(res.body.yaml).toContain('where: 待填写');
  });

  it('checks the choices as the next start would, and says what is missing', async () => {
    const res = await post('/templates/drafts/check', t.auth, { choices: JSON.stringify({ code: 'V02', query: 'elderlyHealth', name: '老年人健康管理登记表', department: '', columns: [] }) });
    expect(res.status).toBe(201);
    expect(res.body.ok).toBe(false);
    expect(res.body.errors.map((e: any) => e.at).sort()).toEqual(['department', 'rows.where']);
    const taken = await post('/templates/drafts/check', t.auth, { choices: JSON.stringify({ code: 'F01', query: 'x', name: 'x', department: 'x', where: '[]', columns: [] }) });
    expect(taken.status).toBe(400);
    expect(taken.body.message).toContain('F01 已有模板');
  });

  it('refuses everyone but an administrator, and writes nothing for them', async () => {
    const before = files();
    const community = await t.as({ username: 'd-community', role: 'community_staff', orgUnitCode: COMMUNITY });
    const department = await t.as({ username: 'd-dept', role: 'department', orgUnitCode: DISTRICT, department: '区民政局' });
    const choices = JSON.stringify({ code: 'V02', query: 'elderlyHealth', name: 'x', department: 'x', where: '[]', columns: [] });
    for (const auth of [{}, community.auth, department.auth]) {
      for (const url of ['/templates/drafts', '/templates/drafts/check', '/templates/drafts/save']) {
        const res = await post(url, auth, { choices });
        expect([401, 403]).toContain(res.status);
      }
    }
    expect(files()).toBe(before);
  });

  it('saves the reviewed template, its blank form and the new fields under TEMPLATES_DIR, audited; the next start accepts them', async () => {
    const draft = (await post('/templates/drafts', t.auth)).body;
    const phone = draft.columns.find((c: any) => c.header === '手机号码');
    const doctor = draft.newFields.find((n: any) => n.label === '签约医生');
    const choices = {
      code: 'V02', query: 'elderlyHealth', name: '60岁以上老年人健康管理登记表', department: '社区卫生服务中心',
      where: '# 60 岁以上\n- { age: { gte: 60 } }', orderBy: '[{ field: birthDate }]',
      columns: [
        { index: phone.index, source: phone.alternatives[0].source }, // the runner-up chosen
        { index: doctor.index, newField: { key: 'familyDoctorName', label: '签约家庭医生姓名', type: 'text' } },
      ],
    };
    const checked = await post('/templates/drafts/check', t.auth, { choices: JSON.stringify(choices) });
    expect(checked.body).toMatchObject({ ok: true, errors: [], files: ['V02.yaml', 'forms/V02.xlsx', 'dictionary.yaml'] });
    expect(fs.existsSync(path.join(dir, 'V02.yaml'))).toBe(false); // a check writes nothing

    const saved = await post('/templates/drafts/save', t.auth, { choices: JSON.stringify(choices) });
    expect(saved.status).toBe(201);
    expect(saved.body.nextStart.join('')).toContain('下次启动时');
    expect(fs.readFileSync(path.join(dir, 'forms', 'V02.xlsx'))).toEqual(blank);
    const template = parse(fs.readFileSync(path.join(dir, 'V02.yaml'), 'utf8'));
    expect(template).toMatchObject({ code: 'V02', query: 'elderlyHealth', department: '社区卫生服务中心', rows: { entity: 'resident', where: [{ age: { gte: 60 } }], orderBy: [{ field: 'birthDate' }] } });
    expect(template.columns[phone.index - 1]).toMatchObject(phone.alternatives[0].source);
    expect(template.columns[doctor.index - 1]).toEqual({ key: 'familyDoctorName', field: 'familyDoctorName' });

    // What the next start reads: the dictionary with both new fields, the template parsed against it.
    const defs = await loadDefinitions(dir);
    expect(defs.dictionary.byKey.get('familyDoctorName')).toMatchObject({ label: '签约家庭医生姓名', type: 'text', entity: 'resident' });
    const signed = draft.newFields.find((n: any) => n.type === 'boolean');
    expect(defs.dictionary.byKey.get(signed.key)).toMatchObject({ type: 'boolean', label: signed.label });
    expect(defs.templates.find((x) => x.code === 'V02')!.def.columns.map((c) => c.header[c.header.length - 1])).toEqual(answers.map((a) => a.header));

    const [line] = await t.dataSource.query(`SELECT username, action, entity, filter FROM audit_log WHERE action = 'template_save'`);
    const filter = typeof line.filter === 'string' ? JSON.parse(line.filter) : line.filter;
    expect(line).toMatchObject({ username: 'tester', entity: 'template' });
    expect(filter).toMatchObject({ code: 'V02', department: '社区卫生服务中心', newFields: 2 });
    expect(filter.blankForm).toBe(createHash('sha256').update(blank).digest('hex'));

    const again = await post('/templates/drafts/save', t.auth, { choices: JSON.stringify(choices) });
    expect(again.status).toBe(400);
  });
});
