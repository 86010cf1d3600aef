import { Controller, Inject } from '@nestjs/common';
import { healthV1 } from '@app/contracts';
import { GrpcServiceKey, qualifiedServiceNames } from '@app/contracts/grpc';
import { Observable, distinctUntilChanged, from, interval, map, startWith, switchMap, takeWhile } from 'rxjs';
import { APP_NAME } from '../config/config.module';
import { NotFoundError } from '../errors/domain-error';
import { HealthService } from './health.service';

const { HealthCheckResponse_ServingStatus: Status } = healthV1;
type Status = healthV1.HealthCheckResponse_ServingStatus;

const WATCH_INTERVAL_MS = 5000;

/**
 * Standard grpc.health.v1.Health, so Kubernetes' native gRPC probes and grpc_health_probe work.
 * The empty service name means the whole server; the app's own gRPC services answer the same.
 */
@Controller()
@healthV1.HealthControllerMethods()
export class HealthGrpcController implements healthV1.HealthController {
  private readonly served: readonly string[];

  constructor(
    private readonly health: HealthService,
    @Inject(APP_NAME) app: GrpcServiceKey,
  ) {
    this.served = qualifiedServiceNames(app);
  }

  private known(service: string | undefined): boolean {
    return !service || this.served.includes(service);
  }

  private async status(): Promise<Status> {
    return (await this.health.readiness()).ready ? Status.SERVING : Status.NOT_SERVING;
  }

  async check(request: healthV1.HealthCheckRequest): Promise<healthV1.HealthCheckResponse> {
    if (!this.known(request.service)) {
      throw new NotFoundError('HEALTH.UNKNOWN_SERVICE', `unknown service ${request.service}`);
    }
    return { status: await this.status() };
  }

  async list(): Promise<healthV1.HealthListResponse> {
    const status = await this.status();
    return { statuses: Object.fromEntries(['', ...this.served].map((name) => [name, { status }])) };
  }

  watch(request: healthV1.HealthCheckRequest): Observable<healthV1.HealthCheckResponse> {
    if (!this.known(request.service)) return from([{ status: Status.SERVICE_UNKNOWN }]);
    return interval(WATCH_INTERVAL_MS).pipe(
      startWith(0),
      takeWhile(() => !this.health.isShuttingDown, true),
      switchMap(() => from(this.status())),
      distinctUntilChanged(),
      map((status) => ({ status })),
    );
  }
}
