import { DomainError } from '../common/errors/domain-errors.js';

/** A step of the reporting cycle that the report's state does not allow (submit an approved report, approve a returned one…). */
export class ReportStateError extends DomainError {
  constructor(
    readonly code: 'ALREADY_SUBMITTED' | 'REPORT_LOCKED' | 'REPORT_NOT_SUBMITTED' | 'REPORT_NOT_APPROVED' | 'PERIOD_NOT_STARTED' | 'PERIOD_NOT_ENDED' | 'WRONG_ORG_LEVEL' | 'REASON_REQUIRED',
    message: string,
  ) {
    super(message);
  }
}

/** A street's summary before every community report it counts is approved: which are missing, and in what state. */
export class ReportsMissingError extends DomainError {
  readonly code = 'COMMUNITY_REPORTS_NOT_APPROVED';
  constructor(readonly missing: { code: string; orgUnitCode: string; orgUnitName: string; status: string }[]) {
    super(`以下社区报表尚未审核通过，不能报送汇总表：${missing.map((m) => `${m.orgUnitName} ${m.code}（${m.status}）`).join('、')}`);
  }
  override details() {
    return { missing: this.missing };
  }
}
