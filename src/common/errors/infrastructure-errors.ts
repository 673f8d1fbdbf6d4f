import { DomainError } from './domain-errors.js';

/**
 * Failures of the storage underneath, answered as HTTP 503 with Retry-After: the client did nothing wrong and the
 * same request may succeed later. Nothing of the failed request was written (its transaction was rolled back).
 */
export abstract class InfrastructureError extends DomainError {
  abstract readonly retryAfterSeconds: number;
  override details() {
    return { retryAfterSeconds: this.retryAfterSeconds };
  }
}

/** The database cannot be reached (PostgreSQL stopped, connection lost, too many connections). */
export class DatabaseUnavailableError extends InfrastructureError {
  readonly code = 'DATABASE_UNAVAILABLE';
  readonly retryAfterSeconds = 5;
  constructor(message = '数据库暂时无法访问，本次操作未保存，请稍后重试') {
    super(message);
  }
}

/** The disk (or the database's size limit) is full: nothing was saved; an administrator must free space. */
export class StorageFullError extends InfrastructureError {
  readonly code = 'STORAGE_FULL';
  readonly retryAfterSeconds = 60;
  constructor(message = '服务器存储空间已满，本次操作未保存；请联系管理员清理空间后重试') {
    super(message);
  }
}

/** Reading or writing the database file failed (SQLITE_IOERR and the like). */
export class StorageError extends InfrastructureError {
  readonly code = 'STORAGE_ERROR';
  readonly retryAfterSeconds = 30;
  constructor(message = '数据库读写出错，本次操作未保存；请稍后重试，如反复出现请联系管理员') {
    super(message);
  }
}

/** Another process (an import, a backup) held the write lock longer than a write may wait. */
export class DatabaseBusyError extends InfrastructureError {
  readonly code = 'DATABASE_BUSY';
  readonly retryAfterSeconds = 2;
  constructor(message = '数据库正忙（另一项导入或备份正在写入），本次操作未保存，请稍后重试') {
    super(message);
  }
}
