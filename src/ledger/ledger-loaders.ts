import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { ENTITY_NAMES, type LedgerRow } from './entities/ledger.entities.js';
import { type OrgUnit, OrgUnitRepository } from './org-unit.repository.js';
import { ResidentRepository } from './resident.repository.js';

/**
 * Loads asked for while one request resolves its fields go to the database together: the keys gathered until the
 * resolvers of a list's items have all run (setImmediate: after every pending promise), then one query per kind;
 * a key asked for twice in one batch is loaded once. Nothing is kept after the batch: a later mutation of the same
 * request reads what it wrote. What `dataloader` does, in the few lines this needs.
 */
export class Batcher<K, V> {
  /** Keys waiting for the next batch. */
  private readonly pending = new Map<K, Promise<V>>();
  private queue: { key: K; resolve: (v: V) => void; reject: (e: unknown) => void }[] = [];

  constructor(
    private readonly fetch: (keys: K[]) => Promise<Map<K, V>>,
    private readonly missing: V,
  ) {}

  load(key: K): Promise<V> {
    let found = this.pending.get(key);
    if (!found) {
      found = new Promise<V>((resolve, reject) => {
        if (!this.queue.length) setImmediate(() => void this.dispatch());
        this.queue.push({ key, resolve, reject });
      });
      this.pending.set(key, found);
    }
    return found;
  }

  private async dispatch(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    this.pending.clear();
    try {
      const values = await this.fetch(batch.map((b) => b.key));
      for (const b of batch) b.resolve(values.get(b.key) ?? this.missing);
    } catch (e) {
      for (const b of batch) b.reject(e);
    }
  }
}

/** The raw records a request's relation fields load (no access decisions here: the services make them). */
export interface RequestLoaders {
  resident: Batcher<number, LedgerRow | null>;
  household: Batcher<number, LedgerRow | null>;
  membersOf: Batcher<number, LedgerRow[]>;
  staff: Batcher<number, LedgerRow | null>;
  visitsOf: Batcher<number, LedgerRow[]>;
  orgUnit: Batcher<string, OrgUnit | null>;
}

const groupBy = <K>(rows: LedgerRow[], key: (r: LedgerRow) => K): Map<K, LedgerRow[]> => {
  const groups = new Map<K, LedgerRow[]>();
  for (const r of rows) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  return groups;
};

/** One set of batchers per GraphQL request, kept with the request's context object. */
@Injectable()
export class LedgerLoaders {
  private readonly perRequest = new WeakMap<object, RequestLoaders>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly residents: ResidentRepository,
    private readonly orgUnits: OrgUnitRepository,
  ) {}

  for(context: object): RequestLoaders {
    let loaders = this.perRequest.get(context);
    if (!loaders) this.perRequest.set(context, (loaders = this.create()));
    return loaders;
  }

  private create(): RequestLoaders {
    const manager = this.dataSource.manager;
    const byId = (rows: LedgerRow[]) => new Map(rows.map((r) => [Number(r.id), r]));
    const repo = (entity: keyof typeof ENTITY_NAMES) => manager.getRepository<LedgerRow>(ENTITY_NAMES[entity]);
    return {
      resident: new Batcher(async (ids) => byId(await this.residents.findByIds(manager, ids)), null),
      household: new Batcher(async (ids) => byId(await this.residents.findHouseholds(manager, ids)), null),
      membersOf: new Batcher(async (ids) => groupBy(await this.residents.findByHouseholdIds(ids), (r) => Number(r.householdId)), []),
      staff: new Batcher(async (ids) => byId(await repo('staff').find({ where: { id: In(ids) } })), null),
      visitsOf: new Batcher(
        async (ids) => groupBy(await repo('visit').find({ where: { residentId: In(ids) }, order: { visitDate: 'DESC', id: 'DESC' } }), (r) => Number(r.residentId)),
        [],
      ),
      orgUnit: new Batcher(async (codes) => new Map((await this.orgUnits.findByCodes(codes)).map((u) => [u.code, u])), null),
    };
  }
}
