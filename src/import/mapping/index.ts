export { type MappingProblem, type ReversedRow, reverseRow, type RowLookups } from './reverse-row.js';
export { type ImportPlan, importPlan, readOptionsFor, type Step } from './import-plan.js';
export { foldText, foldWidth, parseDate, parseDateParts, parseMonth, parseNumber, parseYesNo } from './cell-parsers.js';
export { resolveCode } from './code-lookup.js';
