import pg from 'pg';

// Dates stay 'YYYY-MM-DD' text and counts plain numbers, as on SQLite: in every thread that talks to PostgreSQL.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export { pg };
