import { Module } from '@nestjs/common';
import { HealthGrpcController } from './health.grpc.controller';
import { HealthHttpController } from './health.http.controller';
import { HealthService } from './health.service';

@Module({
  controllers: [HealthHttpController, HealthGrpcController],
  providers: [HealthService],
  exports: [HealthService],
})
export class HealthModule {}
