import { Injectable } from '@nestjs/common';
import { DomainError, UnauthenticatedError, RateLimitedError } from '../common/errors/domain-errors.js';
import { isRole } from '../access/roles.js';
import type { Source, Viewer } from '../access/viewer.js';
import { AuditService } from '../audit/audit.service.js';
import { codePrefix } from '../ledger/org-codes.js';
import { type OrgUnit, OrgUnitRepository } from '../ledger/org-unit.repository.js';
import { type Account, AccountRepository } from './account.repository.js';
import { DUMMY_HASH, verifyPassword } from './password.js';
import { LoginThrottle } from './login-throttle.js';
import { type TokenClaims, TokenService } from './token.service.js';

export class LoginFailedError extends DomainError {
  readonly code = 'LOGIN_FAILED';
  // The same answer for an unknown user, a wrong password and a disabled account; with the wait it now has.
  constructor(readonly retryAfterSeconds = 0) {
    super(retryAfterSeconds > 0 ? `用户名或密码错误，请 ${retryAfterSeconds} 秒后再试` : '用户名或密码错误');
  }
  override details() {
    return this.retryAfterSeconds > 0 ? { retryAfterSeconds: this.retryAfterSeconds } : {};
  }
}

/** The one wording of a throttled login: the page shows this message, so both state the same seconds. */
export function loginWaitText(seconds: number, locked: boolean): string {
  return locked ? `该账号因多处登录失败已被暂时锁定，请 ${seconds} 秒后再试，或联系管理员解锁` : `登录失败次数过多，请 ${seconds} 秒后再试`;
}

/** Logins (throttled by LoginThrottle, audited) and the viewer behind a token. */
@Injectable()
export class AuthService {
  constructor(
    private readonly accounts: AccountRepository,
    private readonly orgUnits: OrgUnitRepository,
    private readonly tokens: TokenService,
    private readonly audit: AuditService,
    private readonly throttle: LoginThrottle,
  ) {}

  async login(username: string, password: string, from: { address: string; requestId: string; source: Source }) {
    const name = username.trim().toLowerCase().slice(0, 64);
    const address = from.address.slice(0, 64);
    const before = await this.throttle.waitBefore(name, address);
    if (before.seconds > 0) throw new RateLimitedError(loginWaitText(before.seconds, before.locked), before.seconds);
    const account = await this.accounts.findByUsername(name);
    const valid = await verifyPassword(account?.passwordHash ?? DUMMY_HASH, password);
    if (!account || !valid || !account.active) {
      const who = { accountId: account?.id ?? null, username: name, role: account?.role ?? 'anonymous', requestId: from.requestId, source: from.source };
      const after = await this.throttle.failed(name, address, who);
      if (after.locked) throw new RateLimitedError(loginWaitText(after.seconds, true), after.seconds);
      throw new LoginFailedError(after.seconds);
    }
    await this.throttle.succeeded(name, address);
    const viewer = await this.toViewer(account, from.requestId, from.source);
    await this.audit.recordAccess(viewer, 'login', { filter: { address: from.address } });
    return { ...(await this.tokens.issue(account.id, account.version)), viewer };
  }

  /** An administrator lifts a user name's login lock and forgets its failures (audited); whether it was locked. */
  unlockLogin(viewer: Viewer, username: string): Promise<boolean> {
    return this.throttle.unlock(username.trim().toLowerCase().slice(0, 64), viewer);
  }

  /**
   * The claims of a token (its account id; or of a download ticket for `url`), checked for signature, audience and
   * age only; UNAUTHENTICATED otherwise. `viewerOf` then checks the account as it is now.
   */
  async claimsOf(token: string, ticketFor?: string): Promise<TokenClaims> {
    const claims = await this.tokens.verify(token, ticketFor ? 'download' : 'api');
    if (!claims || (ticketFor && claims.url !== ticketFor)) throw new UnauthenticatedError('登录已失效，请重新登录');
    return claims;
  }

  /** The viewer of a checked token's account; UNAUTHENTICATED if the account changed since (revoked) or is disabled. */
  async viewerOf(claims: TokenClaims, requestId: string, source: Source): Promise<Viewer> {
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
    let ownUnit: OrgUnit | null = null;
    if (account.role !== 'admin') {
      // Read with the account (one round trip fewer on every request).
      const unit = account.orgUnitCode ? (account.orgUnit ?? (await this.orgUnits.findByCode(account.orgUnitCode))) : null;
      // An account bound to nothing reaches nothing: a code no org unit starts with.
      scope = unit ? codePrefix(unit.code, unit.level) : '-';
      ownUnit = unit;
    }
    return {
      accountId: account.id, username: account.username, displayName: account.displayName, role: account.role, orgUnitCode: account.orgUnitCode,
      scope, department: account.department, fullValues: account.fullValues, requestId, source, ownUnit,
    };
  }
}
