/**
 * Data-quality rules (templates/rules.yaml) and their evaluation over one resident's facts. Pure (no Nest, no
 * database) so the server and the web page run the same rules: the page the record-level ones as people type, the
 * server all of them, with the cross-record facts (same household, same phone) it reads from the ledger.
 */
import { ageOn, parseIdNumber } from '../identity/index.js';

export const SEVERITIES = ['error', 'warning'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * The named cross-record checks a rule may switch on (`{ check: householdHasOtherMembers }`): facts about other
 * residents that only the server can read. `fields`: the resident's own fields they are about (where a finding
 * points); `reads`: the fields whose change can change the fact (a move to another grid changes the household).
 */
export const CROSS_CHECKS = {
  /** Another resident on the ledger lives in the same household (same grid, same address). */
  householdHasOtherMembers: { fields: ['currentAddress'], reads: ['currentAddress', 'gridCode'] },
  /** A resident on the ledger of the same community, in another household, has the same phone number. */
  phoneInOtherHousehold: { fields: ['phone'], reads: ['phone', 'gridCode'] },
} as const;
export type CrossCheck = keyof typeof CROSS_CHECKS;
export const CROSS_CHECK_NAMES = Object.keys(CROSS_CHECKS) as CrossCheck[];

/** One condition of a rule's `when` (all must hold). */
export type RuleCondition =
  | { kind: 'field'; field: string; in?: string[]; equals?: string | number | boolean; present?: boolean; gt?: number; gte?: number; lt?: number; lte?: number }
  | { kind: 'before'; field: string; other: string }
  | { kind: 'age'; gt?: number; gte?: number; lt?: number; lte?: number }
  | { kind: 'any'; of: RuleCondition[] }
  | { kind: 'check'; check: CrossCheck };

export interface QualityRule {
  /** Stable id (upper snake case); the field error code is `RULE_<id>`. */
  id: string;
  code: string;
  severity: Severity;
  /** What staff read, in Chinese. */
  message: string;
  /** Where the finding points: the fields it is about, in the form's order of attention. */
  fields: string[];
  when: RuleCondition[];
  /** Every field the conditions read (age: the ID number; a check: its fields): a change to one "touches" the rule. */
  reads: string[];
  /** The cross-record checks the rule needs (none: the page can run it). */
  checks: CrossCheck[];
}

export interface QualityFinding {
  rule: string;
  code: string;
  severity: Severity;
  message: string;
  fields: string[];
}

export type Facts = Record<string, unknown>;
/** Cross-record facts of one resident; null where they are not known (the page): rules needing them are skipped. */
export type CrossFacts = Partial<Record<CrossCheck, boolean>> | null;

const isEmpty = (v: unknown) => v === null || v === undefined || v === '';

function compare(value: number, c: { gt?: number; gte?: number; lt?: number; lte?: number }): boolean {
  return (c.gt === undefined || value > c.gt) && (c.gte === undefined || value >= c.gte) && (c.lt === undefined || value < c.lt) && (c.lte === undefined || value <= c.lte);
}

function holds(c: RuleCondition, facts: Facts, cross: CrossFacts, today: string): boolean {
  switch (c.kind) {
    case 'field': {
      const v = facts[c.field];
      if (c.present !== undefined) return c.present !== isEmpty(v);
      if (isEmpty(v)) return false;
      if (c.in) return c.in.includes(String(v));
      if (c.equals !== undefined) return v === c.equals || String(v) === String(c.equals);
      const n = typeof v === 'number' ? v : Number(v);
      return Number.isFinite(n) && compare(n, c);
    }
    case 'before': {
      const [a, b] = [facts[c.field], facts[c.other]];
      return !isEmpty(a) && !isEmpty(b) && String(a) < String(b);
    }
    case 'age': {
      const id = typeof facts.idNumber === 'string' ? parseIdNumber(facts.idNumber, today) : null;
      return !!id?.ok && compare(ageOn(id.value.birthDate, today), c);
    }
    case 'any':
      return c.of.some((x) => holds(x, facts, cross, today));
    case 'check':
      return cross?.[c.check] === true;
  }
}

/**
 * The rules that hold for a resident's facts (dictionary keys, as stored or as typed and normalised). Rules that need
 * a cross-record fact are left out when `cross` is null; record conditions are tested first, so the page never
 * guesses about other records.
 */
export function evaluateRules(rules: QualityRule[], facts: Facts, cross: CrossFacts, today: string): QualityFinding[] {
  const found: QualityFinding[] = [];
  for (const rule of rules) {
    if (cross === null && rule.checks.length) continue;
    if (rule.when.every((c) => holds(c, facts, cross, today))) {
      found.push({ rule: rule.id, code: rule.code, severity: rule.severity, message: rule.message, fields: rule.fields });
    }
  }
  return found;
}

/** Whether a change (the keys it gives) touches what a rule reads: an error blocks only a change that does. */
export function touches(rule: QualityRule, given: Iterable<string>): boolean {
  for (const key of given) if (rule.reads.includes(key)) return true;
  return false;
}

/** The cross-record checks any of the rules needs (what the server must read for them). */
export function checksOf(rules: QualityRule[]): CrossCheck[] {
  return CROSS_CHECK_NAMES.filter((name) => rules.some((r) => r.checks.includes(name)));
}
