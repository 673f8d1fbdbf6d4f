import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runForDatabase } from './migration-helpers.js';

/**
 * Summary forms (F09) from per-grid counts kept exact by the database itself:
 *
 * - `grid_versions`: per grid, a counter bumped in the writing transaction by triggers on every change that can move
 *   a count of that grid — a resident (their grid and their household's grid: a household counts while somebody
 *   lives in it), a household (its grid and its residents' grids: household fields may appear in a form's filter),
 *   a visit (its resident's grid). Triggers, not application code: commands, imports, bulk seeding and the
 *   dictionary reconciler are all covered.
 * - `summary_counts`: a grid's counts for one summary form, definition, reference date and period, with the grid's
 *   version they were counted at: current while the version is (src/views/summary-counts.repository.ts).
 *
 * PostgreSQL bumps once per statement from transition tables (a bulk insert of 10,000 rows upserts a few rows, not
 * 10,000); transition tables need one trigger per event there. SQLite has row triggers only.
 */
export class GridVersions1766100000000 implements MigrationInterface {
  name = 'GridVersions1766100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const versions = 'CREATE TABLE "grid_versions" ("grid_code" varchar(15) PRIMARY KEY NOT NULL, "version" bigint NOT NULL)';
    const counts = `CREATE TABLE "summary_counts" ("form_code" varchar(20) NOT NULL, "grid_code" varchar(15) NOT NULL, "definition_hash" varchar(64) NOT NULL,
      "reference_date" varchar(10) NOT NULL, "period_from" varchar(10) NOT NULL, "period_to" varchar(10) NOT NULL, "version" bigint NOT NULL,
      "counts" text NOT NULL, "stored_on" varchar(10) NOT NULL,
      CONSTRAINT "PK_summary_counts" PRIMARY KEY ("form_code", "grid_code", "definition_hash", "reference_date", "period_from", "period_to"))`;
    await runForDatabase(queryRunner, { postgres: [versions, counts, ...POSTGRES_TRIGGERS], sqlite: [versions, counts, ...SQLITE_TRIGGERS] });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await runForDatabase(queryRunner, {
      postgres: [
        ...TABLES.flatMap((t) => EVENTS.map((e) => `DROP TRIGGER "TRG_${t}_grid_versions_${e.toLowerCase()}" ON "${t}"`)),
        ...TABLES.map((t) => `DROP FUNCTION grid_versions_from_${t}()`),
        'DROP TABLE "summary_counts"',
        'DROP TABLE "grid_versions"',
      ],
      sqlite: [...TABLES.flatMap((t) => EVENTS.map((e) => `DROP TRIGGER "TRG_${t}_grid_versions_${e.toLowerCase()}"`)), 'DROP TABLE "summary_counts"', 'DROP TABLE "grid_versions"'],
    });
  }
}

const TABLES = ['residents', 'households', 'visits'] as const;
const EVENTS = ['INSERT', 'UPDATE', 'DELETE'] as const;

/** Bumps the grids a query names (column `g`), in code order so that concurrent writers lock them in one order. */
const BUMP_PG = (grids: string) =>
  `INSERT INTO grid_versions (grid_code, version) SELECT DISTINCT g, 1 FROM (${grids}) x WHERE g IS NOT NULL ORDER BY g
   ON CONFLICT (grid_code) DO UPDATE SET version = grid_versions.version + 1;`;

/** The grids a transition table's rows touch, per table (`t`: the transition table). */
const GRIDS_PG: Record<(typeof TABLES)[number], (t: string) => string> = {
  residents: (t) => `SELECT grid_code AS g FROM ${t} UNION SELECT h.grid_code FROM ${t} n JOIN households h ON h.id = n.household_id`,
  households: (t) => `SELECT grid_code AS g FROM ${t} UNION SELECT r.grid_code FROM ${t} n JOIN residents r ON r.household_id = n.id`,
  visits: (t) => `SELECT r.grid_code AS g FROM ${t} n JOIN residents r ON r.id = n.resident_id`,
};

const POSTGRES_TRIGGERS = TABLES.flatMap((table) => [
  // One function per table; each event's trigger names only the transition tables it has. A new household has no
  // residents yet (ids come from a sequence, never reused).
  `CREATE FUNCTION grid_versions_from_${table}() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP = 'INSERT' THEN ${BUMP_PG(table === 'households' ? 'SELECT grid_code AS g FROM new_rows' : GRIDS_PG[table]('new_rows'))}
     ELSIF TG_OP = 'UPDATE' THEN ${BUMP_PG(`${GRIDS_PG[table]('new_rows')} UNION ${GRIDS_PG[table]('old_rows')}`)}
     ELSE ${BUMP_PG(GRIDS_PG[table]('old_rows'))}
     END IF;
     RETURN NULL;
   END $$`,
  ...EVENTS.map((event) => {
    const referencing = event === 'INSERT' ? 'NEW TABLE AS new_rows' : event === 'DELETE' ? 'OLD TABLE AS old_rows' : 'NEW TABLE AS new_rows OLD TABLE AS old_rows';
    return `CREATE TRIGGER "TRG_${table}_grid_versions_${event.toLowerCase()}" AFTER ${event} ON "${table}" REFERENCING ${referencing} FOR EACH STATEMENT EXECUTE FUNCTION grid_versions_from_${table}()`;
  }),
]);

/**
 * SQLite: the same, row by row. One plain upsert per source of grids (no UNION or DISTINCT: those build a temporary
 * table per row, which a million-row seeding pays for); a grid named twice is bumped twice, which is as good.
 * (`WHERE` keeps an upsert's SELECT unambiguous for SQLite's parser.)
 */
const BUMP_SQLITE = (select: string) => `INSERT INTO grid_versions (grid_code, version) ${select} ON CONFLICT (grid_code) DO UPDATE SET version = version + 1;`;

const SOURCES_SQLITE: Record<(typeof TABLES)[number], Record<(typeof EVENTS)[number], string[]>> = {
  residents: {
    INSERT: ['VALUES (NEW.grid_code, 1)', 'SELECT grid_code, 1 FROM households WHERE id = NEW.household_id'],
    UPDATE: [
      'VALUES (NEW.grid_code, 1)',
      'SELECT OLD.grid_code, 1 WHERE OLD.grid_code <> NEW.grid_code',
      'SELECT grid_code, 1 FROM households WHERE id = NEW.household_id',
      'SELECT grid_code, 1 FROM households WHERE id = OLD.household_id AND OLD.household_id IS NOT NEW.household_id',
    ],
    DELETE: ['VALUES (OLD.grid_code, 1)', 'SELECT grid_code, 1 FROM households WHERE id = OLD.household_id'],
  },
  households: {
    // A new household has no residents yet (ids are never reused: AUTOINCREMENT).
    INSERT: ['VALUES (NEW.grid_code, 1)'],
    UPDATE: ['VALUES (NEW.grid_code, 1)', 'SELECT OLD.grid_code, 1 WHERE OLD.grid_code <> NEW.grid_code', 'SELECT grid_code, 1 FROM residents WHERE household_id = NEW.id'],
    DELETE: ['VALUES (OLD.grid_code, 1)', 'SELECT grid_code, 1 FROM residents WHERE household_id = OLD.id'],
  },
  visits: {
    INSERT: ['SELECT grid_code, 1 FROM residents WHERE id = NEW.resident_id'],
    UPDATE: ['SELECT grid_code, 1 FROM residents WHERE id = NEW.resident_id', 'SELECT grid_code, 1 FROM residents WHERE id = OLD.resident_id AND OLD.resident_id <> NEW.resident_id'],
    DELETE: ['SELECT grid_code, 1 FROM residents WHERE id = OLD.resident_id'],
  },
};

const SQLITE_TRIGGERS = TABLES.flatMap((table) =>
  EVENTS.map((event) => `CREATE TRIGGER "TRG_${table}_grid_versions_${event.toLowerCase()}" AFTER ${event} ON "${table}" BEGIN ${SOURCES_SQLITE[table][event].map(BUMP_SQLITE).join(' ')} END`),
);
