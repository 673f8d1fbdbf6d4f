import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AccessPolicy } from '../access/access-policy.js';
import { systemViewer } from '../access/viewer.js';
import { onPrimary } from '../database/read-routing.js';
import { UnitOfWork } from '../database/unit-of-work.js';
import { DICTIONARY } from '../dictionary/dictionary.module.js';
import type { Dictionary } from '../dictionary/dictionary.types.js';
import { todayIso } from '../identity/index.js';
import type { TemplateSummary } from '../templates/template.loader.js';
import { TEMPLATES } from '../templates/templates.module.js';
import type { RowSet, TemplateDef } from '../templates/template.types.js';
import { dialectFor } from '../views/sql-dialect.js';
import { ViewSqlBuilder } from '../views/view-sql.js';
import { type FeedForm, FeedRepository, type NewFeedChange } from './feed.repository.js';
import { type ComputedRow, FormRows } from './form-rows.js';

/** What a ledger command changed: the records, and the residents whose visits changed (latest-visit columns). */
export interface Touched {
  residents?: Iterable<number>;
  households?: Iterable<number>;
  staff?: Iterable<number>;
  visits?: Iterable<number>;
  /** Residents a visit was recorded for, before and after the change (their latest visit may have changed). */
  visitResidents?: Iterable<number>;
  businesses?: Iterable<number>;
}

interface FeedDefinition {
  rows: FormRows;
  hash: string;
  /** Ages on the reference date decide rows or values: a birthday changes the form without a ledger change. */
  ageSensitive: boolean;
  /** The form's rows are those of a period (F04: visits of the month): a new period renews every row. */
  periodic: boolean;
  latestVisits: boolean;
  related: Set<string>;
}

/** Keys compared per step of a full reconcile. */
const STEP = 1000;

/**
 * The change log (table feed_changes): every row that enters, changes in what it shows, or leaves a department form,
 * logged in the transaction of the ledger change that caused it. Ledger commands call `record` with what they
 * changed; this finds the rows of each form those records show in (a household's members, a resident's visits and
 * businesses, a staff member's residents and visits), computes them by the form's own SQL, compares them with the
 * rows as last logged (`feed_rows`), and appends what differs.
 *
 * Feeds are kept only for forms someone reads (`feed_forms`): the first read of a form's feed logs its whole content
 * (`ensureCurrent`), as does a change of its template; a new day logs what the date changes (birthdays: ages and
 * age limits; a new month for monthly forms). Bulk seeding writes around the commands: the first read catches up.
 */
@Injectable()
export class ChangeLog {
  private readonly definitions = new Map<string, FeedDefinition>();

  constructor(
    @Inject(TEMPLATES) templates: TemplateSummary[],
    @Inject(DICTIONARY) private readonly dictionary: Dictionary,
    dataSource: DataSource,
    private readonly repository: FeedRepository,
    private readonly unitOfWork: UnitOfWork,
    policy: AccessPolicy,
  ) {
    const dialect = dialectFor(dataSource.options.type === 'postgres');
    const rowSets = new Map(templates.filter((t) => t.def.rows.kind === 'rows').map((t) => [t.code, t.def.rows as RowSet]));
    const range = policy.ledgerRange(systemViewer('feed'));
    const dictionaryHash = createHash('sha256').update(JSON.stringify(dictionary, (_k, v) => (v instanceof Map ? [...v] : v))).digest('hex');
    for (const { code, def } of templates) {
      if (def.rows.kind !== 'rows') continue;
      const rowDef = def as TemplateDef & { rows: RowSet };
      const rows = new FormRows(rowDef, new ViewSqlBuilder(rowDef, dictionary, dialect, rowSets), dictionary, dialect, range, policy.maskedGrant(def));
      const sources = def.columns.map((c) => c.source);
      this.definitions.set(code, {
        rows,
        hash: createHash('sha256').update(JSON.stringify({ rows: def.rows, columns: def.columns, dictionaryHash })).digest('hex'),
        ageSensitive: sources.some((s) => s.kind === 'age' || (s.kind === 'band' && s.of.kind === 'age')) || rowDef.rows.where.some((w) => w.kind === 'age'),
        periodic: rowDef.rows.where.some((w) => w.kind === 'inPeriod'),
        latestVisits: sources.some((s) => s.kind === 'latestVisit'),
        related: new Set(sources.flatMap((s) => (s.kind === 'field' && s.related ? [s.related] : []))),
      });
    }
  }

  /** Whether a form has a change feed (row forms do; summary forms do not). */
  has(code: string): boolean {
    return this.definitions.has(code);
  }

  /** The rows and columns of a form's feed. */
  rows(code: string): FormRows {
    return this.definitions.get(code)!.rows;
  }

  /** Called by the ledger commands after their writes, in their transaction: logs what the change did to each form. */
  async record(manager: EntityManager, touched: Touched, today = todayIso()): Promise<void> {
    if (!Object.values(touched).some((ids) => ids && [...ids].length)) return;
    await this.repository.lock(manager);
    const kept = (await this.repository.forms(manager)).filter((f) => this.definitions.get(f.formCode)?.hash === f.definitionHash);
    if (!kept.length) return;
    const residents = await this.residentsOf(manager, touched);
    for (const form of kept) {
      const keys = await this.candidates(manager, this.definitions.get(form.formCode)!, touched, residents);
      if (keys.length) await this.reconcile(manager, form.formCode, keys, await this.definitions.get(form.formCode)!.rows.forKeys(manager, keys, today));
    }
  }

  /**
   * Brings a form's feed up to the current definition and day before it is read (its own transaction, under the
   * lock; a second server doing the same finds it done). Reads the primary. True when it logged or renewed anything
   * (a reader should then read the log on the primary too: a replica may not have it yet); false when the feed was
   * already current, so that the log alone answers.
   */
  async ensureCurrent(code: string, today = todayIso()): Promise<boolean> {
    const definition = this.definitions.get(code)!;
    const wanted = this.state(code, definition, today);
    const same = (f: FeedForm | undefined) => f && f.definitionHash === wanted.definitionHash && f.referenceDate === wanted.referenceDate && f.periodFrom === wanted.periodFrom;
    if (same((await onPrimary(() => this.repository.forms())).find((f) => f.formCode === code))) return false;
    return this.unitOfWork.run(async (manager) => {
      await this.repository.lock(manager);
      const stored = (await this.repository.forms(manager)).find((f) => f.formCode === code);
      if (same(stored)) return false;
      const full = !stored || stored.definitionHash !== wanted.definitionHash || stored.periodFrom !== wanted.periodFrom || stored.referenceDate > wanted.referenceDate;
      if (full) await this.reconcileAll(manager, code, today);
      else if (definition.ageSensitive) {
        const residents = await this.birthdays(manager, stored.referenceDate, wanted.referenceDate);
        if (residents === 'all') await this.reconcileAll(manager, code, today);
        else {
          const keys = await this.candidates(manager, definition, { residents }, residents);
          await this.reconcile(manager, code, keys, await definition.rows.forKeys(manager, keys, today));
        }
      }
      await this.repository.saveForm(manager, wanted);
      return true;
    });
  }

  private state(code: string, definition: FeedDefinition, today: string): FeedForm {
    const { referenceDate, period } = definition.rows.dates(today);
    // A form whose rows are a period's (F04) is renewed when the period changes; the others only by ages.
    return { formCode: code, definitionHash: definition.hash, referenceDate, periodFrom: definition.periodic ? period.from : '' };
  }

  /** Every row of the form against every logged row, a step of keys at a time. */
  private async reconcileAll(manager: EntityManager, code: string, today: string): Promise<void> {
    const rows = this.definitions.get(code)!.rows;
    for (let after = 0; ; ) {
      const computed = await rows.after(manager, after, STEP, today);
      const upTo = computed.length === STEP ? computed[computed.length - 1].key : null;
      const logged = await this.repository.keysBetween(manager, code, after, upTo);
      await this.reconcile(manager, code, [...new Set([...computed.map((r) => r.key), ...logged])], new Map(computed.map((r) => [r.key, r])));
      if (upTo === null) return;
      after = upTo;
    }
  }

  /** Compares the rows computed now for these keys with the rows as logged, and logs the difference in key order. */
  private async reconcile(manager: EntityManager, code: string, keys: number[], computed: Map<number, ComputedRow>): Promise<void> {
    const logged = await this.repository.rows(manager, code, keys);
    const changes: NewFeedChange[] = [];
    for (const key of [...keys].sort((a, b) => a - b)) {
      const now = computed.get(key);
      const before = logged.get(key);
      if (!now && !before) continue;
      if (now && before && now.hash === before.hash && now.grid === before.grid) continue;
      changes.push({
        formCode: code, key, gridBefore: before?.grid ?? null, gridAfter: now?.grid ?? null,
        fullSame: !!now && !!before && now.hash === before.hash, maskedSame: !!now && !!before && now.maskedHash === before.maskedHash, values: now?.values ?? null,
      });
    }
    if (changes.length) await this.repository.append(manager, changes, new Map([...computed].map(([k, r]) => [k, r])));
  }

  /** The residents whose rows a change may alter: those changed, their household's members, a household's members. */
  private async residentsOf(manager: EntityManager, touched: Touched): Promise<number[]> {
    const direct = [...(touched.residents ?? [])];
    const [coMembers, members] = await Promise.all([
      this.ids(manager, (list) => `SELECT r2.id AS id FROM residents r1 JOIN residents r2 ON r2.household_id = r1.household_id WHERE r1.id IN (${list})`, direct),
      this.ids(manager, (list) => `SELECT id FROM residents WHERE household_id IN (${list})`, [...(touched.households ?? [])]),
    ]);
    return [...new Set([...direct, ...coMembers, ...members])];
  }

  /** The keys of a form's rows that may show something a change touched. */
  private async candidates(manager: EntityManager, definition: FeedDefinition, touched: Touched, residents: number[]): Promise<number[]> {
    const staff = [...(touched.staff ?? [])];
    const keys: number[] = [];
    switch (definition.rows.def.rows.entity) {
      case 'resident':
        keys.push(...residents);
        if (definition.latestVisits) keys.push(...(touched.visitResidents ?? []));
        if (definition.related.size) keys.push(...(await this.ids(manager, (list) => `SELECT id FROM residents WHERE liaison_staff_id IN (${list})`, staff)));
        break;
      case 'visit':
        keys.push(...(touched.visits ?? []), ...(await this.ids(manager, (list) => `SELECT id FROM visits WHERE resident_id IN (${list})`, residents)));
        if (definition.related.has('staff')) keys.push(...(await this.ids(manager, (list) => `SELECT id FROM visits WHERE staff_id IN (${list})`, staff)));
        break;
      case 'business':
        keys.push(...(touched.businesses ?? []), ...(await this.ids(manager, (list) => `SELECT id FROM businesses WHERE operator_id IN (${list})`, residents)));
        break;
    }
    return [...new Set(keys.map(Number))];
  }

  private async ids(manager: EntityManager, sql: (list: string) => string, values: number[]): Promise<number[]> {
    const found: number[] = [];
    const dialect = this.repository.dialect;
    for (let i = 0; i < values.length; i += 500) {
      const chunk = values.slice(i, i + 500);
      const rows: { id: unknown }[] = await manager.query(sql(chunk.map((_, j) => dialect.param(j + 1)).join(', ')), chunk);
      found.push(...rows.map((r) => Number(r.id)));
    }
    return found;
  }

  /**
   * Residents whose age differs between two reference dates: birthdays (month and day of the ID number) after the
   * first up to the second; 29 February counts with the 28th and 1 March (ages step on 1 March in other years).
   * A year or more apart: everyone.
   */
  private async birthdays(manager: EntityManager, from: string, to: string): Promise<number[] | 'all'> {
    const start = Date.parse(`${from}T00:00:00Z`);
    const end = Date.parse(`${to}T00:00:00Z`);
    if (end - start >= 365 * 86_400_000) return 'all';
    const days = new Set<string>();
    for (let t = start + 86_400_000; t <= end; t += 86_400_000) days.add(new Date(t).toISOString().slice(5, 10).replace('-', ''));
    if (days.has('0228') || days.has('0301')) days.add('0229');
    return this.ids(manager, (list) => `SELECT id FROM residents WHERE substr(id_number, 11, 4) IN (${list})`, [...days] as unknown as number[]);
  }
}
