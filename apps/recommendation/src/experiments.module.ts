import { Module } from '@nestjs/common';
import { ExperimentGrpcController } from './api/experiment.grpc.controller';
import { ExperimentHttpController } from './api/experiment.http.controller';
import { FeedbackConsumer } from './api/feedback.consumer';
import { ExperimentService } from './application/experiment.service';
import { FeedbackService } from './application/feedback.service';
import { ExperimentRepository } from './infra/experiment.repository';

/**
 * A/B experiments: management (gRPC + REST), assignment for the serving pipeline, and feedback
 * counting from the interaction stream. Needs the global PlatformModule (DataSource, JetStream,
 * config) and `experimentMigrations` in the app's migration list.
 */
@Module({
  controllers: [ExperimentGrpcController, ExperimentHttpController],
  providers: [ExperimentRepository, ExperimentService, FeedbackService, FeedbackConsumer],
  exports: [ExperimentService],
})
export class ExperimentsModule {}
