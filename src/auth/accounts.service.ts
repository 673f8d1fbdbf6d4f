import { Injectable, Logger } from '@nestjs/common';
import { ConflictError, DuplicateError, type FieldError, NotFoundError, ValidationFailedError } from '../common/errors/domain-errors.js';
import { FULL_VALUES_BY_DEFAULT, isRole, type Role, ROLE_LEVELS, ROLE_NAMES } from '../access/roles.js';
import type { Viewer } from '../access/viewer.js';
import { AuditService } from '../audit/audit.service.js';
import { uniqueViolation } from '../database/database-errors.js';
import { UnitOfWork } from '../database/unit-of-work.js';
import { OrgUnitRepository } from '../ledger/org-unit.repository.js';
import { type Account, AccountRepository, type AccountValues } from './account.repository.js';
import { hashPassword, passwordProblem, verifyPassword } from './password.js';

export interface AccountInput {
  username?: string | null;
  displayName?: string | null;
  password?: string | null;
  role?: string | null;
  orgUnitCode?: string | null;
  department?: string | null;
  fullValues?: boolean | null;
  active?: boolean | null;
}

/** What an account looks like to the outside: never its password hash. */
export type AccountView = Omit<Account, 'passwordHash'> & { roleName: string };

const INPUT = ['input'];

/** Accounts: created and changed by administrators only, every change audited; the demo accounts. */
@Injectable()
export class AccountsService {
  private readonly logger = new Logger('Accounts');

  constructor(
    private readonly accounts: AccountRepository,
    private readonly orgUnits: OrgUnitRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly audit: AuditService,
  ) {}

  view(a: Account): AccountView {
    const { passwordHash: _, ...rest } = a;
    return { ...rest, roleName: ROLE_NAMES[a.role] ?? a.role };
  }

  async list(): Promise<AccountView[]> {
    return (await this.accounts.list()).map((a) => this.view(a));
  }

  async get(id: number): Promise<AccountView> {
    const account = await this.accounts.findById(id);
    if (!account) throw new NotFoundError(`没有编号为 ${id} 的账号`);
    return this.view(account);
  }

  async create(viewer: Viewer, input: AccountInput): Promise<AccountView> {
    const values = await this.checked(input, null);
    try {
      return await this.unitOfWork.run(async (manager) => {
        const id = await this.accounts.insert(manager, values);
        const created = (await this.accounts.findById(id, manager))!;
        await this.audit.recordChange(manager, viewer, 'account', id, null, auditable(created));
        return this.view(created);
      });
    } catch (e) {
      if (uniqueViolation(e)) throw new DuplicateError(`用户名 "${values.username}" 已被使用`, [...INPUT, 'username']);
      throw e;
    }
  }

  async update(viewer: Viewer, id: number, expectedVersion: number, input: AccountInput): Promise<AccountView> {
    const stored = await this.accounts.findById(id);
    if (!stored) throw new NotFoundError(`没有编号为 ${id} 的账号`);
    if (input.username !== undefined && input.username !== null && input.username !== stored.username) {
      throw new ValidationFailedError([{ path: [...INPUT, 'username'], code: 'NOT_CHANGEABLE', message: '用户名不能修改' }]);
    }
    if (viewer.accountId === id && ((input.role && input.role !== stored.role) || input.active === false)) {
      throw new ValidationFailedError([{ path: [...INPUT, 'role'], code: 'OWN_ACCOUNT', message: '不能修改自己账号的角色或停用自己' }]);
    }
    const values = await this.checked(input, stored);
    return this.unitOfWork.run(async (manager) => {
      if (!(await this.accounts.update(manager, id, expectedVersion, values))) {
        const current = (await this.accounts.findById(id, manager))!;
        throw new ConflictError('该账号', current.version, expectedVersion);
      }
      const updated = (await this.accounts.findById(id, manager))!;
      await this.audit.recordChange(manager, viewer, 'account', id, auditable(stored), auditable(updated));
      return this.view(updated);
    });
  }

  async changeOwnPassword(viewer: Viewer, oldPassword: string, newPassword: string): Promise<AccountView> {
    const account = viewer.accountId ? await this.accounts.findById(viewer.accountId) : null;
    if (!account || !(await verifyPassword(account.passwordHash, oldPassword))) {
      throw new ValidationFailedError([{ path: ['oldPassword'], code: 'WRONG_PASSWORD', message: '原密码不正确' }]);
    }
    return this.update(viewer, account.id, account.version, { password: newPassword });
  }

  /** Every token of the viewer's account stops working (their version is the account's version). */
  async revokeTokens(viewer: Viewer): Promise<boolean> {
    const account = viewer.accountId ? await this.accounts.findById(viewer.accountId) : null;
    if (!account) return false;
    await this.unitOfWork.run(async (manager) => {
      await this.accounts.update(manager, account.id, account.version, {});
      await this.audit.recordAccess(viewer, 'logout', {}, manager);
    });
    return true;
  }

  /** A fresh deployment: the first administrator, from ADMIN_PASSWORD, when there are no accounts at all. */
  async ensureAdministrator(password: string | null, system: Viewer): Promise<void> {
    if (!password || (await this.accounts.count()) > 0) return;
    await this.create(system, { username: 'admin', displayName: '系统管理员', password, role: 'admin' });
    this.logger.log('已按 ADMIN_PASSWORD 创建管理员账号 admin');
  }

  /** Validated column values for a new account (stored = null) or the changed ones of an existing account. */
  private async checked(input: AccountInput, stored: Account | null): Promise<Partial<AccountValues> & AccountValues> {
    const errors: FieldError[] = [];
    const at = (key: string, code: string, message: string) => errors.push({ path: [...INPUT, key], code, message });
    const role = (input.role ?? stored?.role) as Role;
    const values: Partial<AccountValues> = {};
    if (!stored) {
      const username = input.username?.trim().toLowerCase() ?? '';
      if (!/^[a-z0-9][a-z0-9_.-]{2,63}$/.test(username)) at('username', 'INVALID_USERNAME', '用户名：3–64 位小写字母、数字、下划线、点或连字符');
      values.username = username;
    }
    if (input.displayName !== undefined && input.displayName !== null || !stored) {
      const name = input.displayName?.trim() ?? '';
      if (!name || name.length > 50) at('displayName', 'REQUIRED', '姓名或单位名称：必填，最多 50 个字符');
      values.displayName = name;
    }
    if (input.password !== undefined && input.password !== null || !stored) {
      const problem = passwordProblem(input.password ?? '');
      if (problem) at('password', 'WEAK_PASSWORD', `密码：${problem}`);
      else values.passwordHash = await hashPassword(input.password!);
    }
    if (!isRole(role)) at('role', 'INVALID_CODE', `角色：应为 ${Object.keys(ROLE_NAMES).join('、')} 之一`);
    else {
      if (input.role) values.role = role;
      if (!stored) values.role = role;
      const orgUnitCode = input.orgUnitCode !== undefined ? input.orgUnitCode : stored?.orgUnitCode ?? null;
      if (role === 'admin') {
        if (orgUnitCode) at('orgUnitCode', 'NOT_APPLICABLE', '管理员不绑定区划');
      } else {
        const unit = orgUnitCode ? await this.orgUnits.findByCode(orgUnitCode) : null;
        if (!unit) at('orgUnitCode', orgUnitCode ? 'UNKNOWN_ORG_UNIT' : 'REQUIRED', orgUnitCode ? `没有代码为 "${orgUnitCode}" 的区划或网格` : `${ROLE_NAMES[role]}须绑定区划`);
        else if (!ROLE_LEVELS[role].includes(unit.level)) at('orgUnitCode', 'WRONG_ORG_LEVEL', `${ROLE_NAMES[role]}应绑定到${ROLE_LEVELS[role].map((l) => ({ district: '区县', street: '街道', community: '社区', grid: '网格' })[l]).join('或')}`);
      }
      if (input.orgUnitCode !== undefined || !stored) values.orgUnitCode = orgUnitCode;
      const department = input.department !== undefined ? input.department?.trim() || null : stored?.department ?? null;
      if (role === 'department' && !department) at('department', 'REQUIRED', '部门账号须填写部门名称（与表单模板中的部门一致，如 区民政局）');
      if (role !== 'department' && department) at('department', 'NOT_APPLICABLE', '只有部门账号填写部门名称');
      if (input.department !== undefined || !stored) values.department = department;
      if (input.fullValues !== undefined && input.fullValues !== null) values.fullValues = input.fullValues;
      else if (!stored) values.fullValues = FULL_VALUES_BY_DEFAULT[role];
    }
    if (input.active !== undefined && input.active !== null) values.active = input.active;
    else if (!stored) values.active = true;
    if (errors.length) throw new ValidationFailedError(errors);
    return values as AccountValues;
  }
}

/** An account as the audit log records it: the password only as "changed". */
function auditable(a: Account): Record<string, unknown> {
  const { passwordHash, ...rest } = a;
  return { ...rest, password: `已设置（${passwordHash.slice(-6)}）` };
}
