import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../access/access.decorators.js';
import { HealthService } from './health.service.js';

/** Health for load balancers and monitors: no login, no personal data, never rate limited. */
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** The process is up and serving HTTP. */
  @Get('live')
  live() {
    return { status: 'live' };
  }

  /** Ready for traffic: 200 when every check passes, otherwise 503 with the failing checks. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) res: Response) {
    const readiness = await this.health.readiness();
    res.setHeader('Cache-Control', 'no-store');
    if (readiness.status !== 'ready') res.status(503);
    return readiness;
  }
}
