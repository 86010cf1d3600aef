import { Controller, Inject } from '@nestjs/common';
import { GrpcServiceKey, qualifiedServiceNames } from '@app/contracts/grpc';
import { APP_NAME } from '../config/config.module';
import { GrpcMethod } from '@nestjs/microservices';
import { NotFoundError } from '../errors/domain-error';
import { Observable, distinctUntilChanged, from, interval, startWith, switchMap, takeWhile } from 'rxjs';
import { HealthService } from './health.service';

type ServingStatus = 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

interface HealthCheckRequest {
  service?: string;
}

const WATCH_INTERVAL_MS = 5000;

/**
 * Standard grpc.health.v1.Health, so Kubernetes' native gRPC probes and grpc_health_probe work.
 * The empty service name means the whole server; the app's own gRPC services answer the same.
 */
@Controller()
export class HealthGrpcController {
  private readonly served: ReadonlySet<string>;

  constructor(
    private readonly health: HealthService,
    @Inject(APP_NAME) app: GrpcServiceKey,
  ) {
    this.served = new Set(qualifiedServiceNames(app));
  }

  private known(service: string | undefined): boolean {
    return !service || this.served.has(service);
  }

  private async status(): Promise<ServingStatus> {
    return (await this.health.readiness()).ready ? 'SERVING' : 'NOT_SERVING';
  }

  @GrpcMethod('Health', 'Check')
  async check(request: HealthCheckRequest): Promise<{ status: ServingStatus }> {
    if (!this.known(request.service)) {
      throw new NotFoundError('HEALTH.UNKNOWN_SERVICE', `unknown service ${request.service}`);
    }
    return { status: await this.status() };
  }

  @GrpcMethod('Health', 'Watch')
  watch(request: HealthCheckRequest): Observable<{ status: ServingStatus }> {
    if (!this.known(request.service)) {
      return from([{ status: 'SERVICE_UNKNOWN' as const }]);
    }
    return interval(WATCH_INTERVAL_MS).pipe(
      startWith(0),
      takeWhile(() => !this.health.isShuttingDown, true),
      switchMap(() => from(this.status())),
      distinctUntilChanged(),
      switchMap((status) => from([{ status }])),
    );
  }
}
