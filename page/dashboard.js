// 概况: a street's (or a community's) state at a glance for the current month — gaps in the department forms
// (workList), visit coverage (visitsDue), open data-quality findings (qualityWarnings) and what the one form saved
// (burdenReport, with its workbook). Each figure is the server's; this only draws it (charts.js) and lays it out.

import { errorText, gql } from './api.js';
import { barChart, heatTable } from './charts.js';
import { fill, h, say } from './dom.js';
import { monthLabel, thisMonth } from './periods.js';
import { downloadWithToken, viewMessage } from './report-common.js';

const WORK = `query ($org: String!) { workList(orgUnit: $org, first: 1) { orgUnitName asOf totalCount
  grids { grid { code name communityCode communityName } residents forms fields } } }`;
const VISITS = `query ($org: String!, $month: String!) { visitsDue(orgUnit: $org, month: $month, first: 1) { month referenceDate
  total { due visited overdue ratio } communities { code name due visited overdue ratio } coverage { code name parentName due visited overdue ratio } } }`;
const QUALITY = `query ($org: String!) { qualityWarnings(orgUnit: $org, first: 1) { residentsChecked residentsAffected
  byRule { rule severity message count } communities { code name residentsChecked residentsAffected } grids { code name parentName residentsChecked residentsAffected } } }`;
const BURDEN = `query ($org: String!, $period: String!) { burdenReport(orgUnit: $org, period: $period) { orgUnitName period periodLabel
  factsTyped changesTyped cellsFilled cellsPerFact formsWithoutTyping cellsProduced overlap { departmentA departmentB sharedFields fields } } }`;
const STREETS = `query ($code: String) { orgUnits(parentCode: $code) { code name level } }`;

const percent = (ratio) => (ratio === null || ratio === undefined ? '—' : `${Math.round(ratio * 100)}%`);
const number = (n) => (n === null || n === undefined ? '—' : n.toLocaleString('zh-CN'));

/** A figure at the top: its name, the number, a line under it. */
const tile = (kind, name, value, note) => h('div', { class: 'kpi', dataset: { kpi: kind } }, h('dt', {}, name), h('dd', {}, h('span', { class: 'kpi-value' }, value), h('small', {}, note)));

/** A table of units (communities with their grids under them, or grids alone); cols: [header, (unit) => text]. */
function unitTable(caption, first, cols, groups) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'totals' },
    h('caption', { class: 'visually-hidden' }, caption),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, first), cols.map(([name]) => h('th', { scope: 'col' }, name)))),
    h('tbody', {}, groups.flatMap(({ unit, cls, children }) => [
      h('tr', { class: cls, dataset: { code: unit.code } }, h('th', { scope: 'row' }, unit.name), cols.map(([, text]) => h('td', {}, text(unit)))),
      ...(children ?? []).map((c) => h('tr', { dataset: { code: c.code } }, h('th', { scope: 'row' }, h('span', { class: 'indent' }, c.name)), cols.map(([, text]) => h('td', {}, text(c))))),
    ]))));
}

/** Communities (each with its grids) when there are several, else the grids alone. */
function grouped(communities, grids, parentOf) {
  if (communities.length > 1) return communities.map((c) => ({ unit: c, cls: 'subtotal', children: grids.filter((g) => parentOf(g) === c.code) }));
  return grids.map((g) => ({ unit: g }));
}

function gapsSection(work) {
  const grids = work.grids.map((g) => ({ code: g.grid.code, name: g.grid.name, community: g.grid.communityCode, residents: g.residents, forms: g.forms, fields: g.fields }));
  const communities = [...new Map(work.grids.map((g) => [g.grid.communityCode, g.grid.communityName]))].map(([code, name]) => {
    const inside = grids.filter((g) => g.community === code);
    const sum = (k) => inside.reduce((n, g) => n + g[k], 0);
    return { code, name, residents: sum('residents'), forms: sum('forms'), fields: sum('fields') };
  });
  const several = communities.length > 1;
  const bars = several ? communities : grids;
  const each = several ? '各社区' : '各网格';
  return [
    h('p', { class: 'hint' }, `各部门表单中空着、可以填写的项（${work.asOf}）。点"待完善"标签查看名单。`),
    barChart({ title: `${each}待完善居民数`, kind: 'gaps', max: Math.max(1, ...bars.map((u) => u.residents)), rows: bars.map((u) => ({ key: u.code, label: u.name, value: u.residents, text: `${u.residents} 位` })) }),
    unitTable(`${each}待完善居民、涉及表单、空项`, several ? '社区 / 网格' : '网格',
      [['待完善居民', (u) => String(u.residents)], ['涉及表单', (u) => String(u.forms)], ['空项', (u) => String(u.fields)]],
      grouped(communities, grids, (g) => g.community)),
  ];
}

function visitsSection(visits) {
  const several = visits.communities.length > 1;
  const bars = several ? visits.communities : visits.coverage;
  const each = several ? '各社区' : '各网格';
  const text = (u) => (u.due ? `${percent(u.ratio)}（${u.visited}/${u.due}）` : '无应走访');
  return [
    h('p', { class: 'hint' }, `独居老人、孤寡老人、易走失人员本月应走访、已走访、逾期（上月也未走访）（截至 ${visits.referenceDate}）。`),
    barChart({ title: `${each}本月走访覆盖率`, kind: 'coverage', max: 1, rows: bars.map((u) => ({ key: u.code, label: u.name, value: u.ratio ?? 0, text: text(u) })) }),
    unitTable(`${each}走访覆盖`, several ? '社区 / 网格' : '网格',
      [['应走访', (u) => String(u.due)], ['已走访', (u) => String(u.visited)], ['逾期', (u) => String(u.overdue)], ['覆盖率', (u) => percent(u.ratio)]],
      grouped(visits.communities, visits.coverage, (g) => visits.communities.find((c) => g.code.startsWith(c.code))?.code)),
  ];
}

function qualitySection(quality) {
  const several = quality.communities.length > 1;
  return [
    h('p', { class: 'hint' }, `按 templates/rules.yaml 检查 ${quality.residentsChecked} 位在册居民，${quality.residentsAffected} 位有提示（现在的台账）。`),
    h('div', { class: 'table-wrap' }, h('table', { class: 'totals rules' },
      h('caption', { class: 'visually-hidden' }, '各规则成立的居民数'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '规则'), h('th', { scope: 'col' }, '居民'))),
      h('tbody', {}, quality.byRule.map((r) => h('tr', { dataset: { rule: r.rule } },
        h('th', { scope: 'row' }, h('span', { class: `badge ${r.severity === 'error' ? 'badge-returned' : 'badge-overdue'}` }, r.severity === 'error' ? '错误' : '提示'), ' ', r.message),
        h('td', { class: r.count ? 'late' : null }, String(r.count))))))),
    unitTable(several ? '各社区有提示的居民' : '各网格有提示的居民', several ? '社区 / 网格' : '网格',
      [['检查', (u) => String(u.residentsChecked)], ['有提示', (u) => String(u.residentsAffected)]],
      grouped(quality.communities, quality.grids, (g) => quality.communities.find((c) => g.code.startsWith(c.code))?.code)),
  ];
}

function burdenSection(burden, download) {
  const all = [...new Set(burden.overlap.flatMap((o) => [o.departmentA, o.departmentB]))];
  // A department whose forms ask for nothing another's do (a summary form of counts) gets a line, not a row of zeros.
  const departments = all.filter((d) => burden.overlap.some((o) => o.sharedFields > 0 && (o.departmentA === d || o.departmentB === d)));
  const alone = all.filter((d) => !departments.includes(d));
  const pair = new Map(burden.overlap.flatMap((o) => [[`${o.departmentA}|${o.departmentB}`, o], [`${o.departmentB}|${o.departmentA}`, o]]));
  const figures = [
    ['factsTyped', '人工录入的事实', number(burden.factsTyped), `${number(burden.changesTyped)} 次修改`],
    ['cellsFilled', '填入部门表单的单元格', number(burden.cellsFilled), '期末各表中'],
    ['cellsPerFact', '每项事实填入', burden.cellsPerFact === null ? '—' : `${burden.cellsPerFact} 格`, '单元格 / 事实'],
    ['formsWithoutTyping', '无需另行填写的表单', `${number(burden.formsWithoutTyping)} 份`, `共 ${number(burden.cellsProduced)} 个单元格`],
  ];
  return [
    h('p', { class: 'hint' }, `${burden.periodLabel}经页面、接口、导入录入的事实，及它们填入的各部门表单单元格；演示数据不计。`),
    h('dl', { class: 'kpis burden-figures' }, figures.map(([kind, name, value, note]) => tile(kind, name, value, note))),
    h('div', { class: 'actions' }, download),
    h('h4', {}, '部门重叠'),
    departments.length > 1
      ? heatTable({
        caption: '两个部门的表单都要的事实数（颜色越深越多）：报表清理的依据',
        names: departments,
        value: (a, b) => (a === b ? null : pair.get(`${a}|${b}`)?.sharedFields ?? 0),
        describe: (a, b, n) => `${a}与${b}：${n} 项相同事实${n ? `（${pair.get(`${a}|${b}`).fields.join('、')}）` : ''}`,
      })
      : h('p', { class: 'muted' }, '各部门的表单没有要同样事实的。'),
    alone.length ? h('p', { class: 'hint no-overlap' }, `${alone.join('、')}的表单与其他部门没有相同的事实。`) : null,
  ];
}

/**
 * @param {{ account: any }} o  a street office or community staff sees its own unit; an administrator picks a street
 * @returns {{ el: HTMLElement, load: () => Promise<void> }}
 */
export function dashboardView({ account }) {
  const el = h('section', { class: 'panel dashboard', 'aria-labelledby': 'dashboard-title' });
  let unitCode = account.orgUnitCode ?? null;
  let picker = null;

  /** An administrator's choice of street, the streets grouped by district (read once). */
  async function streetPicker() {
    const districts = (await gql(STREETS, { code: null })).orgUnits;
    const groups = await Promise.all(districts.map(async (d) => ({ d, streets: (await gql(STREETS, { code: d.code })).orgUnits.filter((u) => u.level === 'street') })));
    const select = h('select', { id: 'dashboard-street' }, groups.filter((g) => g.streets.length).map(({ d, streets }) =>
      h('optgroup', { label: d.name }, streets.map((u) => h('option', { value: u.code }, u.name)))));
    unitCode = select.value || null;
    select.addEventListener('change', () => { unitCode = select.value; load(); });
    return h('div', { class: 'field period-field' }, h('label', { for: 'dashboard-street' }, '街道'), select);
  }

  /** One part of the page: its heading and what build makes of the answer, or why it is missing (with a retry). */
  const part = (id, title, body) => h('section', { class: 'dash-part', id: `dash-${id}`, 'aria-labelledby': `dash-${id}-title` }, h('h3', { id: `dash-${id}-title` }, title), body);
  const failed = (what, e) => viewMessage(`无法载入${what}：${errorText(e)}`, { error: true, retry: load });

  async function workbook(button, period) {
    button.disabled = true;
    try {
      const name = await downloadWithToken(`/burden/report.xlsx?${new URLSearchParams({ orgUnit: unitCode, period })}`, `减负报告-${period}.xlsx`);
      say(`正在下载 ${name}`, 'ok');
    } catch (e) {
      say(`未能下载减负报告：${errorText(e)}`, 'error');
    } finally {
      button.disabled = false;
    }
  }

  async function load() {
    el.setAttribute('aria-busy', 'true');
    const month = thisMonth();
    try {
      if (account.role === 'admin' && !picker) picker = await streetPicker();
      if (!unitCode) {
        fill(el, h('h2', { id: 'dashboard-title' }, '概况'), picker, h('p', { class: 'muted' }, '没有可查看的街道。'));
        return;
      }
      const settle = (p) => p.then((v) => ({ v }), (e) => ({ e }));
      const [work, visits, quality, burden] = await Promise.all([
        settle(gql(WORK, { org: unitCode })), settle(gql(VISITS, { org: unitCode, month })),
        settle(gql(QUALITY, { org: unitCode })), settle(gql(BURDEN, { org: unitCode, period: month })),
      ]);
      const w = work.v?.workList;
      const v = visits.v?.visitsDue;
      const q = quality.v?.qualityWarnings;
      const b = burden.v?.burdenReport;
      const name = w?.orgUnitName ?? b?.orgUnitName ?? '';
      const download = h('button', { type: 'button', class: 'small primary' }, '下载减负报告（Excel）');
      download.addEventListener('click', () => workbook(download, month));
      const fields = w ? w.grids.reduce((n, g) => n + g.fields, 0) : null;
      fill(el,
        h('h2', { id: 'dashboard-title' }, '概况', h('small', {}, `${name} · ${monthLabel(month)}`)),
        picker,
        h('dl', { class: 'kpis' },
          tile('gaps', '待完善居民', w ? number(w.totalCount) : '—', w ? `${number(fields)} 个空项` : '未能载入'),
          tile('coverage', '本月走访覆盖', v ? percent(v.total.ratio) : '—', v ? `已走访 ${v.total.visited} / 应走访 ${v.total.due}` : '未能载入'),
          tile('quality', '数据质量提示', q ? number(q.residentsAffected) : '—', q ? `位居民（共检查 ${number(q.residentsChecked)} 位）` : '未能载入'),
          tile('burden', '本月录入事实', b ? number(b.factsTyped) : '—', b ? `填入 ${number(b.cellsFilled)} 个单元格` : '未能载入')),
        part('gaps', '表单完整度（待完善）', w ? gapsSection(w) : failed('待完善', work.e)),
        part('visits', '本月走访覆盖', v ? visitsSection(v) : failed('走访覆盖', visits.e)),
        part('quality', '数据质量提示', q ? qualitySection(q) : failed('数据质量提示', quality.e)),
        part('burden', `减负（${monthLabel(month)}）`, b ? burdenSection(b, download) : failed('减负报告', burden.e)));
    } catch (e) {
      fill(el, h('h2', { id: 'dashboard-title' }, '概况'), picker, viewMessage(`无法载入概况：${errorText(e)}`, { error: true, retry: load }));
    } finally {
      el.removeAttribute('aria-busy');
    }
  }
  return { el, load };
}
