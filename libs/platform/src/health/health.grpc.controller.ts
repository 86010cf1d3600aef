import { Controller } from '@nestjs/common';
import { GrpcMethod, RpcException } from '@nestjs/microservices';
import { status as GrpcStatus } from '@grpc/grpc-js';
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
  static servedServices: ReadonlySet<string> = new Set();

  constructor(private readonly health: HealthService) {}

  private known(service: string | undefined): boolean {
    return !service || HealthGrpcController.servedServices.has(service);
  }

  private async status(): Promise<ServingStatus> {
    return (await this.health.readiness()).ready ? 'SERVING' : 'NOT_SERVING';
  }

  @GrpcMethod('Health', 'Check')
  async check(request: HealthCheckRequest): Promise<{ status: ServingStatus }> {
    if (!this.known(request.service)) {
      throw new RpcException({ code: GrpcStatus.NOT_FOUND, message: `unknown service ${request.service}` });
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
