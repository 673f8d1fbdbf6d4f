import { Injectable } from '@nestjs/common';
import { DomainError, UnauthenticatedError, RateLimitedError } from '../common/errors/domain-errors.js';
import { isRole } from '../access/roles.js';
import type { Source, Viewer } from '../access/viewer.js';
import { AuditService } from '../audit/audit.service.js';
import { ConfigService } from '../config/config.service.js';
import { codePrefix } from '../ledger/org-codes.js';
import { OrgUnitRepository } from '../ledger/org-unit.repository.js';
import { type Account, AccountRepository } from './account.repository.js';
import { DUMMY_HASH, verifyPassword } from './password.js';
import { RateLimiter } from './rate-limiter.js';
import { TokenService } from './token.service.js';

export class LoginFailedError extends DomainError {
  readonly code = 'LOGIN_FAILED';
  constructor() {
    super('用户名或密码错误'); // the same answer for an unknown user, a wrong password and a disabled account
  }
}

const FIFTEEN_MINUTES = 15 * 60 * 1000;

/** Logins (rate-limited, audited) and the viewer behind a token. */
@Injectable()
export class AuthService {
  private readonly failuresByUser: RateLimiter;
  private readonly attemptsByAddress: RateLimiter;

  constructor(
    private readonly accounts: AccountRepository,
    private readonly orgUnits: OrgUnitRepository,
    private readonly tokens: TokenService,
    private readonly audit: AuditService,
    config: ConfigService,
  ) {
    this.failuresByUser = new RateLimiter(config.limits.loginFailures, FIFTEEN_MINUTES);
    this.attemptsByAddress = new RateLimiter(config.limits.loginFailures * 4, FIFTEEN_MINUTES);
  }

  async login(username: string, password: string, from: { address: string; requestId: string; source: Source }) {
    const name = username.trim().toLowerCase();
    const wait = Math.max(this.failuresByUser.retryAfter(name), this.attemptsByAddress.take(from.address));
    if (wait > 0) throw new RateLimitedError(`登录尝试过多，请 ${Math.ceil(wait / 60)} 分钟后再试`, wait);
    const account = await this.accounts.findByUsername(name);
    const valid = await verifyPassword(account?.passwordHash ?? DUMMY_HASH, password);
    if (!account || !valid || !account.active) {
      this.failuresByUser.hit(name);
      const who = { accountId: account?.id ?? null, username: name.slice(0, 64), role: account?.role ?? 'anonymous', requestId: from.requestId, source: from.source };
      await this.audit.recordAccess(who, 'login_failed', { filter: { address: from.address } });
      throw new LoginFailedError();
    }
    this.failuresByUser.reset(name);
    const viewer = await this.toViewer(account, from.requestId, from.source);
    await this.audit.recordAccess(viewer, 'login', { filter: { address: from.address } });
    return { ...(await this.tokens.issue(account.id, account.version)), viewer };
  }

  /** The viewer behind a login token (or a download ticket for `url`); UNAUTHENTICATED if it is not valid now. */
  async viewerFromToken(token: string, requestId: string, source: Source, ticketFor?: string): Promise<Viewer> {
    const claims = await this.tokens.verify(token, ticketFor ? 'download' : 'api');
    if (!claims || (ticketFor && claims.url !== ticketFor)) throw new UnauthenticatedError('登录已失效，请重新登录');
    const account = await this.accounts.findById(Number(claims.sub));
    // A changed account (role, org unit, password, disabled) has a new version: its old tokens stop working.
    if (!account || !account.active || account.version !== claims.ver) throw new UnauthenticatedError('登录已失效，请重新登录');
    return this.toViewer(account, requestId, source);
  }

  /** A download ticket for one URL, revoked with the account's login tokens. */
  async ticket(viewer: Viewer, url: string): Promise<string> {
    const account = viewer.accountId ? await this.accounts.findById(viewer.accountId) : null;
    if (!account) throw new UnauthenticatedError();
    return this.tokens.ticket(account.id, account.version, url);
  }

  async toViewer(account: Account, requestId: string, source: Source): Promise<Viewer> {
    if (!isRole(account.role)) throw new UnauthenticatedError('账号角色无效，请联系管理员');
    let scope = '';
    if (account.role !== 'admin') {
      const unit = account.orgUnitCode ? await this.orgUnits.findByCode(account.orgUnitCode) : null;
      // An account bound to nothing reaches nothing: a code no org unit starts with.
      scope = unit ? codePrefix(unit.code, unit.level) : '-';
    }
    return {
      accountId: account.id, username: account.username, displayName: account.displayName, role: account.role, orgUnitCode: account.orgUnitCode,
      scope, department: account.department, fullValues: account.fullValues, requestId, source,
    };
  }
}
