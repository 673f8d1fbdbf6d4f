export { readLedgerFile } from './read-ledger-file.js';
export { ImportFileError, type ImportFileErrorCode, isImportFileError } from './import-file-error.js';
export type { RawCell, ReadLimits, ReadOptions, ReadProblem, SheetRead, SourceRow } from './reader.types.js';
export { DEFAULT_LIMITS } from './reader.types.js';
export { normalizeHeader } from './header-locator.js';
