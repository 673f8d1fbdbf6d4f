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
import { ConfigService } from '../config/config.service.js';
import { UnitOfWork } from '../database/unit-of-work.js';
import { RequestCountRepository } from './request-count.repository.js';
import { DatabaseRequestLimiter, MemoryRequestLimiter, RequestLimiter } from './request-limiter.js';

/** Accounts, logins and tokens. The middleware that turns a token into a viewer is applied by AppModule. */
@Module({
  providers: [
    AccountRepository, AccountsService, AuthService, TokenService, AuthResolver, AuthMiddleware, OrgUnitRepository, LoginThrottle, LoginThrottleRepository,
    RequestCountRepository,
    {
      // PostgreSQL may run behind a load balancer with several servers: count in the database. A SQLite file
      // belongs to one server process, which counts exactly (and without a write per request) in memory.
      provide: RequestLimiter,
      inject: [ConfigService, RequestCountRepository, UnitOfWork],
      useFactory: (config: ConfigService, counts: RequestCountRepository, unitOfWork: UnitOfWork) =>
        config.database.kind === 'postgres' ? new DatabaseRequestLimiter(counts, unitOfWork, config.limits.requestsPerMinute) : new MemoryRequestLimiter(config.limits.requestsPerMinute),
    },
  ],
  exports: [AccountsService, AuthService, AuthMiddleware, RequestLimiter],
})
export class AuthModule {}
