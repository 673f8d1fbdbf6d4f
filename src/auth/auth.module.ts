import { Module } from '@nestjs/common';
import { OrgUnitRepository } from '../ledger/org-unit.repository.js';
import { AccountRepository } from './account.repository.js';
import { AccountsService } from './accounts.service.js';
import { AuthMiddleware } from './auth.middleware.js';
import { AuthResolver } from './auth.resolver.js';
import { AuthService } from './auth.service.js';
import { LoginThrottle } from './login-throttle.js';
import { LoginThrottleRepository } from './login-throttle.repository.js';
import { TokenService } from './token.service.js';

/** Accounts, logins and tokens. The middleware that turns a token into a viewer is applied by AppModule. */
@Module({
  providers: [AccountRepository, AccountsService, AuthService, TokenService, AuthResolver, AuthMiddleware, OrgUnitRepository, LoginThrottle, LoginThrottleRepository],
  exports: [AccountsService, AuthService, AuthMiddleware],
})
export class AuthModule {}
