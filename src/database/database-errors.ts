import { DatabaseBusyError, DatabaseUnavailableError, InfrastructureError, StorageError, StorageFullError } from '../common/errors/infrastructure-errors.js';

/** Recognises a unique-constraint violation from either driver, and which constraint it was. */
export function uniqueViolation(error: unknown): { constraint: string } | null {
  const e = error as { code?: string; constraint?: string; message?: string; driverError?: unknown } | null;
  if (!e) return null;
  if (e.driverError && e.driverError !== e) return uniqueViolation(e.driverError);
  if (e.code === '23505') return { constraint: e.constraint ?? '' };
  if (e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    // SQLite names the columns, not the index: "UNIQUE constraint failed: residents.id_number"
    return { constraint: /failed: (.*)$/.exec(e.message ?? '')?.[1] ?? '' };
  }
  return null;
}

/** The driver's error code (SQLITE_FULL, 53100, ECONNREFUSED…) under TypeORM's QueryFailedError wrapper. */
export function driverCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; driverError?: unknown } | null;
  if (!e || typeof e !== 'object') return undefined;
  if (e.driverError && e.driverError !== e) return driverCode(e.driverError) ?? (typeof e.code === 'string' ? e.code : undefined);
  return typeof e.code === 'string' ? e.code : undefined;
}

const PG_LOST_CONNECTION = /Connection terminated|connection error|not queryable|timeout exceeded when trying to connect|terminating connection|the database system is (starting up|shutting down)/i;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN', 'ENETUNREACH']);

/**
 * A failure of the storage itself, from either driver, as the error the client gets (503 with a code); null for
 * anything else (constraint violations, bugs). The one place that knows both dialects' codes.
 */
export function infrastructureError(error: unknown): InfrastructureError | null {
  if (error instanceof InfrastructureError) return error;
  const code = driverCode(error) ?? '';
  if (code === 'SQLITE_FULL' || code === '53100') return new StorageFullError();
  if (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || code === '58030') return new StorageError();
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return new DatabaseBusyError();
  // A deadlock victim (after UnitOfWork's own retries) may simply try again, like a busy SQLite file.
  if (code === '40P01') return new DatabaseBusyError('同时进行的几项保存相互等待，本次操作未保存，请重试');
  if (code === 'SQLITE_CANTOPEN') return new DatabaseUnavailableError();
  if (code.startsWith('08') || code.startsWith('57P') || code === '53300' || code === '53000' || code === '53200') return new DatabaseUnavailableError();
  if (NETWORK_CODES.has(code)) return new DatabaseUnavailableError();
  // TypeORM releases a PostgreSQL runner whose connection broke; the transaction's next statement then says so.
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'QueryRunnerProviderAlreadyReleasedError' || name === 'QueryRunnerAlreadyReleasedError') return new DatabaseUnavailableError();
  const message = (error as { message?: unknown } | null)?.message;
  if (typeof message === 'string' && PG_LOST_CONNECTION.test(message)) return new DatabaseUnavailableError();
  return null;
}
