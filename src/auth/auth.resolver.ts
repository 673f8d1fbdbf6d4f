import { Args, Context, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentViewer, Needs, Public } from '../access/access.decorators.js';
import type { Viewer } from '../access/viewer.js';
import { AccountsService } from './accounts.service.js';
import type { AppRequest } from './auth.middleware.js';
import { AuthService } from './auth.service.js';
import { AccountInput, AccountType, LoginResultType } from './auth.types.js';

@Resolver()
export class AuthResolver {
  constructor(
    private readonly auth: AuthService,
    private readonly accounts: AccountsService,
  ) {}

  @Public()
  @Mutation(() => LoginResultType, { description: '登录：返回令牌；失败过多会暂时拒绝登录' })
  async login(@Args('username') username: string, @Args('password') password: string, @Context('req') req: AppRequest) {
    const { token, expiresAt, viewer } = await this.auth.login(username, password, { address: req.ip ?? '', requestId: req.requestId, source: req.source });
    return { token, expiresAt, account: await this.accounts.get(viewer.accountId!) };
  }

  @Needs('views:read') // every role holds it: any logged-in account
  @Query(() => AccountType, { description: '当前登录的账号' })
  me(@CurrentViewer() viewer: Viewer) {
    return this.accounts.get(viewer.accountId!);
  }

  @Needs('views:read')
  @Mutation(() => Boolean, { description: '退出登录：本账号已签发的全部令牌（所有设备上的登录）随即失效' })
  logout(@CurrentViewer() viewer: Viewer) {
    return this.accounts.revokeTokens(viewer);
  }

  @Needs('views:read')
  @Mutation(() => AccountType, { description: '修改自己的密码（之后须重新登录）' })
  changePassword(@CurrentViewer() viewer: Viewer, @Args('oldPassword') oldPassword: string, @Args('newPassword') newPassword: string) {
    return this.accounts.changeOwnPassword(viewer, oldPassword, newPassword);
  }

  @Needs('accounts:manage')
  @Mutation(() => Boolean, { description: '解除用户名的登录锁定并清除其登录失败记录（管理员，记入审计日志）；返回此前是否处于锁定' })
  unlockAccount(@CurrentViewer() viewer: Viewer, @Args('username') username: string) {
    return this.auth.unlockLogin(viewer, username);
  }

  @Needs('accounts:manage')
  @Query(() => [AccountType], { description: '全部账号（管理员）' })
  accountList() {
    return this.accounts.list();
  }

  @Needs('accounts:manage')
  @Mutation(() => AccountType, { description: '新建账号（管理员）' })
  createAccount(@CurrentViewer() viewer: Viewer, @Args('input') input: AccountInput) {
    return this.accounts.create(viewer, input);
  }

  @Needs('accounts:manage')
  @Mutation(() => AccountType, { description: '修改账号：角色、区划、部门、完整值权限、启用、重置密码（管理员）；该账号已签发的令牌随即失效' })
  updateAccount(@CurrentViewer() viewer: Viewer, @Args('id', { type: () => Int }) id: number, @Args('expectedVersion', { type: () => Int }) expectedVersion: number, @Args('input') input: AccountInput) {
    return this.accounts.update(viewer, id, expectedVersion, input);
  }
}
