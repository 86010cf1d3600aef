import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { HealthService } from './health.service';

interface ResponseLike {
  status(code: number): ResponseLike;
  json(body: unknown): void;
}

/** Kubernetes-style probes: /health/live (process up) and /health/ready (dependencies answer). */
@Controller('health')
export class HealthHttpController {
  constructor(private readonly health: HealthService) {}

  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res() res: ResponseLike): Promise<void> {
    const report = await this.health.readiness();
    res.status(report.ready ? 200 : 503).json({
      status: report.ready ? 'ok' : this.health.isShuttingDown ? 'shutting_down' : 'unavailable',
      checks: report.checks,
    });
  }
}
