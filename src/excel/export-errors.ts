import { DomainError } from '../common/errors/domain-errors.js';

/** A full-value export by an account entitled to full values asked without saying why (stored in the audit line). */
export class ExportReasonRequiredError extends DomainError {
  readonly code = 'REASON_REQUIRED';
  constructor() {
    super('导出含完整身份证号码和电话的文件须说明用途（reason），用途记入审计日志');
  }
  override details() {
    return { path: ['reason'] };
  }
}
