import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { FieldError } from '../common/errors/domain-errors.js';
import { DICTIONARY } from '../dictionary/dictionary.module.js';
import type { Dictionary } from '../dictionary/dictionary.types.js';
import { todayIso } from '../identity/index.js';
import type { LedgerRow } from '../ledger/entities/ledger.entities.js';
import { residentFacts } from '../ledger/resident-view.js';
import { type CrossFacts, evaluateRules, type Facts, type QualityFinding, type QualityRule, touches } from './quality-rules.js';
import { QUALITY_RULES } from './quality-rules.module.js';
import { QualityRepository } from './quality.repository.js';

/** A resident as the checker reads it: a ResidentView (stored facts, household facts, derived birth date and sex). */
type Resident = LedgerRow & { id: number };

/**
 * Runs templates/rules.yaml on residents: the record-level rules on their facts, the cross-record checks read from
 * the ledger. Used by the one write path (ResidentCommands), imports, Resident.warnings and the community report.
 */
@Injectable()
export class QualityChecker {
  constructor(
    @Inject(QUALITY_RULES) readonly rules: QualityRule[],
    @Inject(DICTIONARY) private readonly dictionary: Dictionary,
    private readonly repository: QualityRepository,
    private readonly dataSource: DataSource,
  ) {}

  /** A resident's facts by dictionary key (household's and the ID number's included), as the rules read them. */
  facts(view: LedgerRow): Facts {
    return { ...residentFacts(this.dictionary, view), birthDate: view.birthDate ?? null, gender: view.gender ?? null };
  }

  /** What holds for one set of facts; `cross` null leaves out the rules that need other records. */
  evaluate(facts: Facts, cross: CrossFacts, today = todayIso()): QualityFinding[] {
    return evaluateRules(this.rules, facts, cross, today);
  }

  /** Findings for residents as stored now (read through `manager`); none for one who left (注销): that is history. */
  async findings(manager: EntityManager, residents: Resident[], today = todayIso()): Promise<Map<number, QualityFinding[]>> {
    const onLedger = residents.filter((r) => !r.deregisteredOn);
    const cross = this.rules.some((r) => r.checks.length) ? await this.repository.crossFacts(manager, onLedger.map((r) => r.id)) : new Map();
    const out = new Map<number, QualityFinding[]>(residents.map((r) => [r.id, []]));
    for (const r of onLedger) out.set(r.id, this.evaluate(this.facts(r), cross.get(r.id) ?? {}, today));
    return out;
  }

  /** One resident's findings as the ledger holds it now (outside any transaction). */
  async findingsOf(resident: Resident): Promise<QualityFinding[]> {
    return (await this.findings(this.dataSource.manager, [resident])).get(resident.id) ?? [];
  }

  /**
   * The findings a change may not make: errors, when the change creates the resident or gives a field the rule reads.
   * A record that already broke a rule and is changed elsewhere (a move, another field) is not held up by it.
   */
  blocking(findings: QualityFinding[], given: Iterable<string>, created: boolean): QualityFinding[] {
    const keys = [...given];
    return findings.filter((f) => f.severity === 'error' && (created || touches(this.rule(f.rule), keys)));
  }

  /** A finding as field errors (VALIDATION_FAILED): one at each field it points to, with the rule's stable code. */
  fieldErrors(findings: QualityFinding[], path: (string | number)[]): FieldError[] {
    return findings.flatMap((f) => f.fields.map((field) => ({ path: [...path, field], code: f.code, message: f.message })));
  }

  private rule(id: string): QualityRule {
    return this.rules.find((r) => r.id === id)!;
  }
}
