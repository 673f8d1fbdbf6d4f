// 新表单 (administrators): a department's blank form in, a reviewed template out. Upload → the drafter's proposal per
// column beside the blank form's header → pick an alternative or name a new field, say which rows → 检查 (the server
// loads a copy of templates/ as the next start would) → 保存 (files under TEMPLATES_DIR, audited) and what the next
// start does with them.

import { ApiError, errorText, session } from './api.js';
import { h, fill, say, uid } from './dom.js';

const TYPES = [['text', '文本'], ['boolean', '是/否'], ['date', '日期'], ['month', '年月'], ['integer', '整数'], ['decimal', '小数（金额）'], ['phone', '电话']];
const NEW = 'new';

/** The tab for accounts that manage the system (administrators); none for anyone else. */
export function templateTabs({ account, dict }) {
  if (account.role !== 'admin') return [];
  return [{ id: 'template-draft', label: '新表单', view: templateDraftView({ dict }) }];
}

async function send(url, form) {
  let res;
  try {
    res = await fetch(url, { method: 'POST', headers: { Authorization: `Bearer ${session.token()}`, 'X-Ybt-Source': 'form' }, body: form });
  } catch {
    throw new ApiError('NETWORK', '网络中断，连不上服务器');
  }
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(body?.code ?? 'HTTP', body?.message ?? `服务器出错（HTTP ${res.status}）`, { status: res.status, fieldErrors: body?.fieldErrors });
  return body;
}

/** A source in words: 字段「公民身份号码」, 年龄, 计数：F07 的行…; what the YAML says when nothing simpler fits. */
function describe(dict, s) {
  if (!s) return '（没有合适的来源）';
  const label = (k) => dict.byKey.get(k)?.label ?? k;
  if (s.rowNumber) return '序号 1、2、3…';
  if (s.age) return '年龄（由身份证号码算出）';
  if (s.householdSize) return '同户在册人数';
  if (s.orgUnit) return s.orgUnit === 'grid' ? '所属网格名称' : '所属社区名称';
  if (s.latest) return '最近一次走访日期';
  if (s.keyGroups) return '走访当天所属的重点人群';
  if ('constant' in s) return '留空（固定内容）';
  if (s.related) return `关联记录（${s.related}）的「${label(s.field)}」`;
  if (s.field) return `字段「${label(s.field)}」（${s.field}）`;
  if (s.count?.form) return `计数：表单 ${s.count.form} 的行数`;
  if (s.count) return `计数：${{ grid: '网格', household: '户', resident: '居民' }[s.count] ?? s.count}${s.where ? `，条件 ${JSON.stringify(s.where)}` : ''}`;
  return JSON.stringify(s);
}

const pct = (x) => `${Math.round(x * 100)}%`;

export function templateDraftView({ dict }) {
  const el = h('section', { class: 'panel template-draft', 'aria-labelledby': 'draft-title' });
  const file = h('input', { type: 'file', id: 'draft-file', accept: '.xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
  const review = h('div', { class: 'draft-review' });
  let current = null; // { file, draft, form controls, columns controls }

  async function upload() {
    const chosen = file.files?.[0];
    if (!chosen) return say('请先选择部门发来的空白表样（.xlsx）', 'error');
    const form = new FormData();
    form.append('file', chosen);
    try {
      say('正在读取表样…');
      const draft = await send('/templates/drafts', form);
      say(`已起草：${draft.columns.length} 列，${draft.columns.filter((c) => c.source).length} 列有建议来源，${draft.newFields.length} 个新字段`);
      current = reviewForm(chosen, draft);
    } catch (e) {
      say(errorText(e), 'error');
    }
  }

  function reviewForm(blank, draft) {
    const detail = draft.layout.kind === 'rows';
    const input = (label, props) => {
      const id = uid('draft');
      const control = props.multiline ? h('textarea', { id, rows: 3, ...props, multiline: null }) : h('input', { id, type: 'text', ...props });
      return { control, el: h('div', { class: 'field' }, h('label', { for: id }, label), control) };
    };
    const code = input('表单代码', { value: draft.code, name: 'code', required: true, pattern: '[A-Z][A-Z0-9_]*' });
    const name = input('表单名称', { value: draft.layout.name, name: 'name', required: true });
    const department = input('部门（部门账号只看到写有本部门的表）', { value: '', name: 'department', required: true });
    const query = input('GraphQL 查询名（英文，小写字母开头）', { value: `form${draft.code}`, name: 'query', required: true });
    const where = detail ? input('行条件：哪些记录进表（YAML 列表；全部进表写 []）', {
      multiline: true, name: 'where', placeholder: draft.layout.ageFrom ? `- { age: { gte: ${draft.layout.ageFrom} } }` : '- { field: minimumLivingAllowance, equals: true }',
    }) : null;
    const orderBy = detail ? input('排序（YAML 列表）', { multiline: true, name: 'orderBy', value: '[{ orgUnit: grid }]' }) : null;

    const proposed = new Map(draft.newFields.map((n) => [n.index, n]));
    const rows = draft.columns.map((c) => {
      const id = uid('draft-col');
      const options = [c.source, ...c.alternatives.map((a) => a.source)];
      const select = h('select', { id, name: `column-${c.index}` },
        c.source ? h('option', { value: '0' }, `建议：${describe(dict, c.source)}（把握 ${pct(c.confidence)}）`) : null,
        c.alternatives.map((a, i) => h('option', { value: String(i + 1) }, `其次：${describe(dict, a.source)}（${pct(a.confidence)}）`)),
        detail ? h('option', { value: NEW }, '新字段（字典中没有）…') : null,
        h('option', { value: 'none' }, '须由人决定（保存前在文件中填写）'));
      const guess = proposed.get(c.index) ?? { key: '', label: c.header, type: 'text' };
      const key = h('input', { type: 'text', value: guess.key, name: `key-${c.index}`, 'aria-label': `第 ${c.index} 列新字段的英文键` });
      const label = h('input', { type: 'text', value: guess.label, name: `label-${c.index}`, 'aria-label': `第 ${c.index} 列新字段的名称` });
      const type = h('select', { name: `type-${c.index}`, 'aria-label': `第 ${c.index} 列新字段的类型` }, TYPES.map(([v, t]) => h('option', { value: v, selected: v === guess.type }, t)));
      const fresh = h('div', { class: 'draft-new', hidden: true }, h('span', {}, '新字段：'), key, label, type);
      select.value = proposed.has(c.index) ? NEW : c.source ? '0' : c.alternatives.length ? '1' : 'none';
      const sync = () => { fresh.hidden = select.value !== NEW; };
      select.addEventListener('change', sync);
      sync();
      const header = [...c.groups, c.header].join(' › ');
      const li = h('li', { class: 'draft-column', dataset: { index: String(c.index) } },
        h('div', { class: 'draft-header' }, h('span', { class: 'muted' }, `第 ${c.index} 列`), h('label', { for: id }, h('strong', {}, header))),
        select, fresh);
      return {
        li,
        choice: () => {
          if (select.value === NEW) return { index: c.index, newField: { key: key.value.trim(), label: label.value.trim(), type: type.value } };
          if (select.value === 'none') return { index: c.index, source: null };
          return { index: c.index, source: options[Number(select.value)] };
        },
      };
    });
    const result = h('div', { class: 'draft-result', 'aria-live': 'polite' });
    const choices = () => ({
      code: code.control.value.trim(), name: name.control.value.trim(), department: department.control.value.trim(), query: query.control.value.trim(),
      ...(where ? { where: where.control.value } : {}), ...(orderBy ? { orderBy: orderBy.control.value } : {}),
      columns: rows.map((r) => r.choice()),
    });
    const body = (c) => {
      const form = new FormData();
      form.append('file', blank);
      form.append('choices', JSON.stringify(c));
      return form;
    };
    const showErrors = (errors) => h('div', { class: 'error-block', role: 'alert' }, h('p', {}, '还不能保存：'),
      h('ul', {}, errors.map((e) => h('li', {}, `${e.file}${e.at ? ` 中 ${e.at}` : ''}：${e.reason}`))));
    async function check() {
      try {
        const r = await send('/templates/drafts/check', body(choices()));
        fill(result, r.ok ? h('p', { class: 'ok' }, `检查通过：将写入 ${r.files.join('、')}`) : showErrors(r.errors),
          h('details', {}, h('summary', {}, `模板文件 ${choices().code}.yaml`), h('pre', { class: 'yaml' }, r.yaml)));
        say(r.ok ? '检查通过，可以保存' : `有 ${r.errors.length} 处须改正`, r.ok ? 'info' : 'error');
      } catch (e) {
        say(errorText(e), 'error');
      }
    }
    async function save() {
      try {
        const r = await send('/templates/drafts/save', body(choices()));
        fill(result, h('div', { class: 'saved', role: 'status' }, h('p', { class: 'ok' }, `已保存：${r.files.join('、')}（已记入审计日志）`),
          h('p', {}, '下次启动时：'), h('ul', {}, r.nextStart.map((line) => h('li', {}, line)))));
        say('模板已保存，重启服务后生效');
      } catch (e) {
        const errors = e.extensions?.fieldErrors;
        if (errors?.length) fill(result, showErrors(errors.map((f) => ({ file: '', at: '', reason: f.message }))));
        say(errorText(e), 'error');
      }
    }
    fill(review,
      h('h3', {}, `${draft.layout.kind === 'summary' ? '汇总表' : '明细表'}「${draft.layout.name}」：${draft.columns.length} 列`),
      h('div', { class: 'draft-meta' }, code.el, name.el, department.el, query.el, where?.el, orderBy?.el),
      h('ol', { class: 'draft-columns' }, rows.map((r) => r.li)),
      h('div', { class: 'actions' }, h('button', { type: 'button', onclick: check }, '检查'), h('button', { type: 'button', class: 'primary', onclick: save }, '保存')),
      result);
    return { draft };
  }

  fill(el,
    h('h2', { id: 'draft-title' }, '新表单：从部门表样起草模板'),
    h('p', { class: 'muted' }, '上传部门发来的空白表样，逐列核对建议的数据来源（可改选其次的来源，或命名一个新字段），写明哪些记录进表，检查后保存。保存的文件在服务下次启动时生效。'),
    h('div', { class: 'field' }, h('label', { for: 'draft-file' }, '空白表样（.xlsx）'), file),
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', onclick: upload }, '起草')),
    review);
  return { el, load: async () => current };
}
