/** Codes of problems that stop reading the whole file. */
export type ImportFileErrorCode =
  | 'NOT_XLSX'
  | 'XLS_NOT_SUPPORTED'
  | 'FILE_TOO_LARGE'
  | 'TOO_MANY_ENTRIES'
  | 'XML_ENTITIES'
  | 'HEADER_NOT_FOUND'
  | 'MISSING_COLUMN'
  | 'TIME_LIMIT'
  | 'MEMORY_LIMIT';

/** The uploaded file cannot be read as a ledger; the message (Chinese) says why and what to do. */
export class ImportFileError extends Error {
  constructor(
    readonly code: ImportFileErrorCode,
    message: string,
    /** E.g. the missing columns' headers. */
    readonly details?: string[],
  ) {
    super(message);
    this.name = 'ImportFileError';
  }

  toJSON(): { code: ImportFileErrorCode; message: string; details?: string[] } {
    return { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}

export const isImportFileError = (e: unknown): e is ImportFileError => e instanceof ImportFileError;
