import type { CodeRange } from '../access/access-policy.js';
import type { Dictionary, FieldDef } from '../dictionary/dictionary.types.js';
import type { Condition, RowSet, Sort, TemplateDef } from '../templates/template.types.js';
import { RESIDENT_ORDER_INDEXES } from '../ledger/entities/ledger.entities.js';
import { Params, type SqlDialect } from './sql-dialect.js';
import { afterCondition, type OrderKey } from './view-cursor.js';

/**
 * SQL for one row view, built from the template: filters, sorts and paging run in the database, on SQLite and
 * PostgreSQL alike. Pure: strings and parameters only.
 */

/** Table aliases: the view's own rows (e), the resident they concern (r) and that resident's household (h). */
interface Aliases {
  /** The rows and the records every row must have (inner joins). */
  base: string;
  /** The resident's household, when the row has one (a left join: it never removes a row). */
  householdJoin: string;
  /** Alias holding the resident whose facts (ID number, household) the row shows. */
  resident: string;
  household: string;
  /** Column holding the grid the row belongs to. */
  gridColumn: string;
  relations: Record<string, { alias: string; join: string; entities: string[] }>;
}

const ALIASES: Record<RowSet['entity'], Aliases> = {
  resident: {
    base: 'residents e',
    householdJoin: 'LEFT JOIN households h ON h.id = e.household_id',
    resident: 'e',
    household: 'h',
    gridColumn: 'e.grid_code',
    relations: { liaisonStaff: { alias: 'ls', join: 'LEFT JOIN staff ls ON ls.id = e.liaison_staff_id', entities: ['staff'] } },
  },
  visit: {
    base: 'visits e JOIN residents r ON r.id = e.resident_id',
    householdJoin: 'LEFT JOIN households h ON h.id = r.household_id',
    resident: 'r',
    household: 'h',
    gridColumn: 'r.grid_code',
    relations: {
      resident: { alias: 'r', join: '', entities: ['resident', 'household'] },
      staff: { alias: 'st', join: 'JOIN staff st ON st.id = e.staff_id', entities: ['staff'] },
    },
  },
  business: {
    base: 'businesses e JOIN residents r ON r.id = e.operator_id',
    householdJoin: 'LEFT JOIN households h ON h.id = r.household_id',
    resident: 'r',
    household: 'h',
    gridColumn: 'e.grid_code',
    relations: { operator: { alias: 'r', join: '', entities: ['resident', 'household'] } },
  },
};

/**
 * Whether a resident (table alias) was still registered on a day (a SQL expression): one who left (注销) counts until
 * the day before the effective date, so views of earlier dates keep them.
 */
export const REGISTERED_ON = (alias: string, day: string) => `(${alias}.deregistered_on IS NULL OR ${alias}.deregistered_on > ${day})`;

export const ORG_JOIN = (gridColumn: string) => `JOIN org_units g ON g.code = ${gridColumn} JOIN org_units c ON c.code = g.parent_code`;

export { PREFIX_LENGTH } from '../ledger/org-codes.js';

export interface ViewSql {
  /** SELECT … FROM … WHERE (no ORDER/LIMIT): rows for one org unit, reference date and period. */
  select: string;
  /** One page in order: the first (`after` null) or the one after the row whose order keys are `after`. */
  page(limit: number, after: unknown[] | null): ViewPage;
  /** The ORDER BY, key by key: a page's last row's values (see ViewPage.keyAliases) make the next page's cursor. */
  keys: OrderKey[];
  params: unknown[];
  /** Every row in order, latest visits included, for a cursor (exports): one statement, no lookups per batch. */
  stream: string;
  count: string;
  countParams: unknown[];
  orderBy: string;
}

/**
 * One page's statement. An expression is read once however many columns show it (the ID number feeds 性别, 出生日期
 * and the order keys; a page of a district's F07 is 500 rows): `copies` are [alias, alias it repeats] to fill in after
 * the read, and `keyAliases` name where each order key's value is.
 */
export interface ViewPage {
  sql: string;
  params: unknown[];
  copies: [string, string][];
  keyAliases: string[];
}

/** Fills in a page's repeated columns (ViewPage.copies) on the rows read. */
export function fillCopies(rows: Record<string, unknown>[], copies: [string, string][]): void {
  if (!copies.length) return;
  for (const row of rows) for (const [alias, of] of copies) row[alias] = row[of];
}

/** One expression of a SELECT list and the name a row holds it under. */
interface SelectItem {
  expr: string;
  alias: string;
}

/** A SELECT list as SQL. */
const selectSql = (items: SelectItem[]): string => items.map((i) => `${i.expr} AS "${i.alias}"`).join(', ');

/** The items with each expression once (then the order keys): the distinct items, the repeats, and each key's alias. */
function distinctSelect(select: SelectItem[], keys: OrderKey[]): { items: SelectItem[]; copies: [string, string][]; keyAliases: string[] } {
  const seen = new Map<string, string>();
  const items: SelectItem[] = [];
  const copies: [string, string][] = [];
  const take = (expr: string, alias: string): string => {
    // An expression with a placeholder binds a value of its own (SQLite's are positional): never merged.
    const first = /[?$]/.test(expr) ? undefined : seen.get(expr);
    if (first !== undefined) return first;
    seen.set(expr, alias);
    items.push({ expr, alias });
    return alias;
  };
  for (const { expr, alias } of select) {
    const first = take(expr, alias);
    if (first !== alias) copies.push([alias, first]);
  }
  const keyAliases = keys.map((k, i) => take(k.expr, `k${i}`));
  return { items, copies, keyAliases };
}

export interface ViewScope {
  /** The org codes the view covers, granted by the AccessPolicy (repositories never take a bare prefix). */
  range: CodeRange;
  referenceDate: string;
  period: { from: string; to: string };
  /** Delta pulls: only rows whose own record, resident or household changed at or after this instant. */
  changedSince?: unknown;
}

export class ViewSqlBuilder {
  private readonly inIndexOrder: boolean;
  private readonly presentHint: SqlDialect['presentInRange'] | undefined;
  private readonly aliases: Aliases;
  /** FROM clause shared by every query of this view: its rows, their org units and related records. */
  private readonly from: string;

  constructor(
    private readonly def: TemplateDef & { rows: RowSet },
    private readonly dict: Dictionary,
    private readonly dialect: SqlDialect,
    /** Row filters of the other forms, for keyGroups (F04 asks which of F01–F03 a person was in). */
    private readonly forms: Map<string, RowSet>,
  ) {
    this.aliases = ALIASES[def.rows.entity];
    const relationJoins = Object.values(this.aliases.relations).map((r) => r.join).filter(Boolean);
    this.from = `FROM ${this.aliases.base} ${this.aliases.householdJoin} ${ORG_JOIN(this.aliases.gridColumn)} ${relationJoins.join(' ')}`;
    this.inIndexOrder = this.orderIsAnIndex();
    // A filter on a field of the row's own record being present (F05, F06): see SqlDialect.presentInRange.
    const present = def.rows.where.some((w) => w.kind === 'field' && w.present === true && this.column(this.dict.byKey.get(w.field)!).startsWith('e.'));
    this.presentHint = present ? this.dialect.presentInRange : undefined;
  }

  /**
   * Whether the rows come from an index in the form's own order (RESIDENT_ORDER_INDEXES: the index's first column
   * filtered to one value, then the form's order keys): then a page reads its rows straight from the index at the
   * cursor. Otherwise it finds the page's ids first (deferred join): narrow, often from an index alone, then reads those.
   */
  private orderIsAnIndex(): boolean {
    const { entity, where, orderBy } = this.def.rows;
    if (entity !== 'resident' || !orderBy.every((s) => s.kind === 'field' && !s.descending)) return false;
    const keys = [...orderBy.map((s) => (s as { field: string }).field), 'idNumber', 'id'];
    if (keys.some((k, i) => i < keys.length - 2 && (k === 'birthDate' || k === 'gender' || this.dict.byKey.get(k)?.entity !== 'resident'))) return false;
    const oneValue = (field: string) => where.some((c) => c.kind === 'field' && c.field === field && ((c.in && c.in.length === 1) || (c.equals !== undefined && !c.in)));
    return RESIDENT_ORDER_INDEXES.some((index) => oneValue(index[0]) && index.length - 1 === keys.length && keys.every((k, i) => index[i + 1] === k));
  }

  /** Column expression of a field, seen from the view's own rows or through a relation. */
  column(field: FieldDef, related?: string): string {
    if (field.key === 'birthDate' || field.key === 'gender') return this.column(this.dict.byKey.get('idNumber')!, related);
    if (related) {
      const rel = this.aliases.relations[related];
      return `${field.entity === 'household' ? this.aliases.household : rel.alias}.${field.column}`;
    }
    if (field.entity === 'household') return `${this.aliases.household}.${field.column}`;
    if (this.def.rows.entity !== 'resident' && (field.entity === 'resident')) return `${this.aliases.resident}.${field.column}`;
    return `e.${field.column}`;
  }

  private idNumber(): string {
    return `${this.aliases.resident}.id_number`;
  }

  /** A resident condition. `ageOn` is a date expression (F04: the visit date) or null for the reference date. */
  condition(c: Condition, params: Params, scope: ViewScope, ageOn: string | null): string {
    switch (c.kind) {
      case 'field': {
        if (c.field === 'gender' && c.in) {
          // Sex is the parity of the ID number's 17th character: odd men (1), even women (2).
          const parities = c.in.filter((g) => g === '1' || g === '2').map((g) => (g === '1' ? 1 : 0));
          return parities.length ? `(CAST(substr(${this.idNumber()}, 17, 1) AS INTEGER) % 2) IN (${parities.join(', ')})` : '1 = 0';
        }
        const col = this.column(this.dict.byKey.get(c.field)!);
        if (c.in) return `${col} IN (${c.in.map((v) => params.add(v)).join(', ')})`;
        if (c.present !== undefined) return `${col} IS ${c.present ? 'NOT ' : ''}NULL`;
        return `${col} = ${params.add(typeof c.equals === 'boolean' ? this.dialect.bool(c.equals) : c.equals)}`;
      }
      case 'age': {
        const birth = `substr(${this.idNumber()}, 7, 8)`;
        const cutoff = (years: number) => (ageOn ? this.dialect.birthKeyYearsBefore(ageOn, years) : params.add(birthKeyYearsBefore(scope.referenceDate, years)));
        const parts: string[] = [];
        if (c.gte !== undefined) parts.push(`${birth} <= ${cutoff(c.gte)}`);
        if (c.lte !== undefined) parts.push(`${birth} > ${cutoff(c.lte + 1)}`);
        return parts.join(' AND ') || '1 = 1';
      }
      case 'inPeriod': {
        const col = this.column(this.dict.byKey.get(c.field)!);
        return `${col} >= ${params.add(scope.period.from)} AND ${col} <= ${params.add(scope.period.to)}`;
      }
      case 'keyGroup':
        return `(${c.forms.map((f) => this.keyGroupCondition(f, params, scope)).join(' OR ')})`;
      case 'not':
        // CASE, not NOT: a condition on an empty field is NULL, and "not 已办理" must count the unknown too.
        return `(CASE WHEN ${this.condition(c.condition, params, scope, ageOn)} THEN 0 ELSE 1 END) = 1`;
      case 'any':
        return `(${c.of.map((w) => this.condition(w, params, scope, ageOn)).join(' OR ')})`;
    }
  }

  /** Whether the visited resident belonged to a resident form's rows on the visit date. */
  keyGroupCondition(form: string, params: Params, scope: ViewScope): string {
    const rows = this.forms.get(form)!;
    const onVisitDate = this.def.rows.entity === 'visit' ? 'e.visit_date' : null;
    return `(${rows.where.map((w) => this.condition(w, params, scope, onVisitDate)).join(' AND ') || '1 = 1'})`;
  }

  private sort(s: Sort, referenceDate: string): OrderKey[] {
    const unit = (expr: string, type: OrderKey['type']): OrderKey => ({ expr, descending: false, nullable: false, type });
    if (s.kind === 'orgUnit') {
      const community = [unit('c.sort_order', 'number'), unit('c.code', 'string')];
      return s.level === 'grid' ? [...community, unit('g.sort_order', 'number'), unit('g.code', 'string')] : community;
    }
    if (s.kind === 'age') return [{ expr: this.ageExpression(referenceDate), descending: !!s.descending, nullable: false, type: 'number' }];
    const f = this.dict.byKey.get(s.field)!;
    if (f.key === 'birthDate') return [{ expr: `substr(${this.idNumber()}, 7, 8)`, descending: s.descending, nullable: false, type: 'string' }];
    const type = f.type === 'integer' || f.type === 'decimal' ? 'number' : f.type === 'boolean' ? 'boolean' : 'string';
    // A household's facts come through a LEFT JOIN: NULL for a resident without one, whatever the field says.
    return [{ expr: this.column(f), descending: s.descending, nullable: !f.required || f.entity === 'household', type }];
  }

  /**
   * Whole years on the reference date, as integer arithmetic on yyyymmdd (same on both databases; a 29 February
   * birthday comes round on 1 March, as the age conditions count it). The date goes in as a checked literal: ORDER BY
   * appears twice in a page's SQL, where parameters would have to be numbered twice.
   */
  private ageExpression(referenceDate: string): string {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(referenceDate)) throw new Error(`参考日期格式不对：${referenceDate}`);
    return `((${Number(referenceDate.replaceAll('-', ''))} - CAST(substr(${this.idNumber()}, 7, 8) AS INTEGER)) / 10000)`;
  }

  /** The form's order, key by key: the template's orderBy, then the ID number and the id (a total order). */
  orderKeys(referenceDate: string): OrderKey[] {
    // Ties end on the ID number, not on insertion order: a ledger rebuilt from its Excel files sorts the same.
    return [...this.def.rows.orderBy.flatMap((s) => this.sort(s, referenceDate)), { expr: this.idNumber(), descending: false, nullable: false, type: 'string' }, { expr: 'e.id', descending: false, nullable: false, type: 'number' }];
  }

  /** The SELECT list: every column a row needs (of `columns` only, when given), aliased by what it is. */
  private selectList(params: Params, scope: ViewScope, columns?: ReadonlySet<string>): SelectItem[] {
    const list: SelectItem[] = [
      { expr: 'e.id', alias: 'row_id' },
      { expr: this.idNumber(), alias: 'row_id_number' },
      { expr: 'g.name', alias: 'grid_name' },
      { expr: 'c.name', alias: 'community_name' },
    ];
    const add = (expr: string, alias: string) => list.push({ expr, alias });
    for (const col of this.def.columns) {
      if (columns && !columns.has(col.key)) continue;
      const s = col.source;
      if (s.kind === 'field') add(this.column(this.dict.byKey.get(s.field)!, s.related), `v_${col.key}`);
      if (s.kind === 'band' && s.of.kind === 'field') add(this.column(this.dict.byKey.get(s.of.field)!), `v_${col.key}`);
      if (s.kind === 'concat') s.parts.forEach((p, i) => add(this.column(this.dict.byKey.get(p.field)!), `v_${col.key}_${i}`));
      if (s.kind === 'householdSize') {
        // Household members registered on the reference date (a resident without a household has none to count).
        const h = this.aliases.household;
        const members = `SELECT COUNT(*) FROM residents hm WHERE hm.household_id = ${h}.id AND ${REGISTERED_ON('hm', params.add(scope.referenceDate))}`;
        add(`CASE WHEN ${h}.id IS NULL THEN NULL ELSE (${members}) END`, `v_${col.key}`);
      }
      if (s.kind === 'keyGroups') {
        s.groups.forEach((g, i) => add(`CASE WHEN ${this.keyGroupCondition(g.form, params, scope)} THEN 1 ELSE 0 END`, `v_${col.key}_${i}`));
      }
    }
    return list;
  }

  /** FROM clause of this view's rows with their org units (g grid, c community) and related records: work lists start here. */
  get fromClause(): string {
    return this.from;
  }

  /** The form's own row filter (no area, no registration): which records the form holds, as one SQL condition. */
  rowFilter(params: Params, scope: ViewScope): string {
    return `(${this.def.rows.where.map((w) => this.condition(w, params, scope, null)).join(' AND ') || '1 = 1'})`;
  }

  /** Whether a row is in the view: the scope's range, the form's filter, residents still registered on the reference date. */
  inView(params: Params, scope: ViewScope, hint?: SqlDialect['presentInRange']): string {
    const grid = hint ? hint.grid(this.aliases.gridColumn) : this.aliases.gridColumn;
    // Org unit codes are prefixes of their descendants' codes: a range on the grid code selects a whole subtree.
    const where = [`${grid} >= ${params.add(scope.range.from)}`, `${grid} < ${params.add(scope.range.to)}`];
    for (const w of this.def.rows.where) {
      const condition = this.condition(w, params, scope, null);
      where.push(hint && w.kind === 'field' && w.present === true ? hint.present(condition) : condition);
    }
    // Residents who left are in the views of dates before they left, their visits if made before. A business stays
    // on F08 when its operator leaves: the shop is a record of its own, closed or handed over by its own change.
    if (this.def.rows.entity === 'resident') where.push(REGISTERED_ON('e', params.add(scope.referenceDate)));
    if (this.def.rows.entity === 'visit') where.push(REGISTERED_ON('r', 'e.visit_date'));
    return where.join(' AND ');
  }

  private changed(params: Params, since: unknown): string {
    // Any record a row shows facts of: its own, its resident and household, related staff (包联干部, 走访人).
    const tables = [...new Set(['e', this.aliases.household, this.aliases.resident, ...Object.values(this.aliases.relations).map((r) => r.alias)])];
    return `(${tables.map((t) => `${t}.updated_at >= ${params.add(since)}`).join(' OR ')})`;
  }

  /** Every statement's filter: a page's, its count's, a summary's counts, an export's. */
  private where(params: Params, scope: ViewScope): string {
    const inView = this.inView(params, scope, this.presentHint);
    return scope.changedSince === undefined ? inView : `${inView} AND ${this.changed(params, scope.changedSince)}`;
  }

  /**
   * Delta pulls: keys of records changed since the instant that are not in the view now. Without a change log
   * this cannot tell whether they were in it before, so it may name rows the client never had: deleting those
   * is harmless.
   */
  leftView(scope: ViewScope & { changedSince: unknown }): { sql: string; params: unknown[] } {
    const params = new Params(this.dialect);
    const changed = this.changed(params, scope.changedSince);
    const inView = this.inView(params, { ...scope, changedSince: undefined });
    return {
      sql: `SELECT e.id AS row_id ${this.from} WHERE ${changed} AND (CASE WHEN ${inView} THEN 1 ELSE 0 END) = 0 ORDER BY e.id`,
      params: params.values,
    };
  }

  /**
   * Several counts of this view's rows per grid code of the scope's range in one pass (`grid_code`, `n0`, `n1`…):
   * each counts the rows that also meet a list of conditions (an empty list: every row). Summary forms count residents
   * and residents aged 60+ this way, from the one index both read (grid, status, ID number); summary_counts keeps
   * the counts per grid.
   */
  countsByGrid(scope: ViewScope, counts: Condition[][]): { sql: string; params: unknown[] } {
    const params = new Params(this.dialect);
    // Placeholders in the order they appear (SQLite's are positional): the select list's, then the filter's.
    const list = counts.map((where, i) => (where.length ? `COUNT(CASE WHEN ${where.map((w) => this.condition(w, params, scope, null)).join(' AND ')} THEN 1 END)` : 'COUNT(*)') + ` AS n${i}`);
    const where = this.where(params, scope);
    // Counted per grid code first, without the org units and the left joins the filter does not read (a left join
    // on a key never adds or removes a row; PostgreSQL drops an unused one but then still reads the table, not the
    // index alone): a form's filter index (field, grid_code, id_number, …, deregistered_on) answers the count. The
    // grids are then joined to their org units and rolled up: one join per grid instead of one per counted row.
    const reads = (alias: string) => new RegExp(`\\b${alias}\\.`).test(`${where} ${list.join(' ')}`);
    const joins = [this.aliases.householdJoin, ...Object.values(this.aliases.relations).map((r) => r.join)]
      .filter((join) => join && !(join.startsWith('LEFT JOIN ') && !reads(join.split(' ')[3])));
    const perGrid = `SELECT ${this.aliases.gridColumn} AS grid_code, ${list.join(', ')} FROM ${this.aliases.base} ${joins.join(' ')} WHERE ${where} GROUP BY ${this.aliases.gridColumn}`;
    return { sql: perGrid, params: params.values };
  }

  /**
   * Latest visits are looked up for the page's rows only, after paging: as a column of the main query the
   * database would compute one for every candidate row before sorting.
   */
  latestVisits(ids: number[], only?: ReadonlySet<string>): { sql: string; params: unknown[]; columns: { key: string; column: string }[] } | null {
    const columns = this.def.columns
      .filter((c) => c.source.kind === 'latestVisit' && (!only || only.has(c.key)))
      .map((c) => ({ key: c.key, column: this.dict.byKey.get((c.source as { field: string }).field)!.column! }));
    if (!columns.length || !ids.length) return null;
    const params = new Params(this.dialect);
    const list = ids.map((id) => params.add(id)).join(', ');
    return {
      sql: `SELECT resident_id, ${columns.map((c, i) => `MAX(${c.column}) AS m${i}`).join(', ')} FROM visits WHERE resident_id IN (${list}) GROUP BY resident_id`,
      params: params.values,
      columns,
    };
  }

  /** Whether one resident is among this view's rows now (as the row's resident, a visit's, a business's operator). */
  containsResident(scope: ViewScope, residentId: number): { sql: string; params: unknown[] } {
    const params = new Params(this.dialect);
    const where = this.where(params, scope);
    return { sql: `SELECT 1 AS hit ${this.from} WHERE ${where} AND ${this.aliases.resident}.id = ${params.add(residentId)} LIMIT 1`, params: params.values };
  }

  /**
   * The view's rows as ids only: the row's own record, the resident it concerns and that resident's household (the
   * burden report matches typed facts to the cells they fill). The same filter as every other query of the view.
   */
  members(scope: ViewScope): { sql: string; params: unknown[] } {
    const params = new Params(this.dialect);
    const where = this.where(params, scope);
    const resident = this.aliases.resident;
    return { sql: `SELECT e.id AS row_id, ${resident}.id AS resident_id, ${this.aliases.household}.id AS household_id ${this.from} WHERE ${where}`, params: params.values };
  }

  /** Latest visits as columns: one index lookup (resident_id, visit_date) per row; right for reading every row in order. */
  private latestVisitColumns(): string[] {
    return this.def.columns
      .filter((c) => c.source.kind === 'latestVisit')
      .map((c) => `(SELECT MAX(lv.${this.dict.byKey.get((c.source as { field: string }).field)!.column}) FROM visits lv WHERE lv.resident_id = e.id) AS "v_${c.key}"`);
  }

  /** `columns`: only these template columns are read (a typed query's selection); all of them by default. */
  build(scope: ViewScope, columns?: ReadonlySet<string>): ViewSql {
    const from = this.from;
    const params = new Params(this.dialect);
    const select = this.selectList(params, scope, columns);
    const where = this.where(params, scope);
    const countParams = new Params(this.dialect);
    const countWhere = this.where(countParams, scope);
    const keys = this.orderKeys(scope.referenceDate);
    const orderBy = keys.map((k) => this.dialect.orderTerm(k.expr, k.descending, k.nullable)).join(', ');
    const distinct = distinctSelect(select, keys);
    // The page's rows come from ids found with every join: the community is read again only if a column shows it.
    const showsCommunity = this.def.columns.some((c) => (!columns || columns.has(c.key)) && c.source.kind === 'orgUnit' && c.source.level !== 'grid');
    const outer = selectSql(showsCommunity ? distinct.items : distinct.items.filter((i) => i.alias !== 'community_name'));
    return {
      select: `SELECT ${selectSql(select)} ${from} WHERE ${where}`,
      // From an index in the form's order where there is one (RESIDENT_ORDER_INDEXES), rows and all. Otherwise a
      // deferred join: the page's ids first (from the filter indexes), then only those rows in full. The next page
      // starts after the last row's keys.
      page: (limit, after) => {
        const page = new Params(this.dialect);
        for (const v of params.values) page.add(v);
        const seek = after ? ` AND ${afterCondition(keys, after, page)}` : '';
        const sql = this.inIndexOrder
          ? `SELECT ${outer} ${withoutUnusedJoins(from, `${outer} ${where} ${orderBy}`)} WHERE ${where}${seek} ORDER BY ${orderBy} LIMIT ${Number(limit)}`
          : `SELECT ${outer} ${withoutCommunity(withoutUnusedJoins(from, `${outer} ${orderBy}`), `${outer} ${orderBy}`)} WHERE e.id IN (` +
            `SELECT e.id ${withoutUnusedJoins(from, `${where}${seek} ${orderBy}`)} WHERE ${where}${seek} ORDER BY ${orderBy} LIMIT ${Number(limit)}) ORDER BY ${orderBy}`;
        return { sql, params: page.values, copies: distinct.copies, keyAliases: distinct.keyAliases };
      },
      keys,
      params: params.values,
      stream: `SELECT ${[selectSql(select), ...this.latestVisitColumns()].join(', ')} ${from} WHERE ${where} ORDER BY ${orderBy}`,
      count: `SELECT COUNT(*) AS n ${from} WHERE ${countWhere}`,
      countParams: countParams.values,
      orderBy,
    };
  }
}

/**
 * A FROM clause without the LEFT JOINs on a primary key (household, 包联干部) that `uses` does not mention: they add no
 * row and drop none, and without them a page's ids come from an index alone.
 */
function withoutUnusedJoins(from: string, uses: string): string {
  return from.replace(/ ?LEFT JOIN \w+ (\w+) ON \1\.id = \w+\.\w+/g, (join, alias: string) => (new RegExp(`\\b${alias}\\.`).test(uses) ? join : ''));
}

/** A FROM clause without the community's join when `uses` does not mention it (the rows were already found with it). */
function withoutCommunity(from: string, uses: string): string {
  return /\bc\./.test(uses) ? from : from.replace(' JOIN org_units c ON c.code = g.parent_code', '');
}

/** yyyymmdd of a date some whole years earlier; 29 February falls back to the 28th. */
export function birthKeyYearsBefore(date: string, years: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const year = y - years;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const day = m === 2 && d === 29 && !leap ? 28 : d;
  return `${year}${String(m).padStart(2, '0')}${String(day).padStart(2, '0')}`;
}
