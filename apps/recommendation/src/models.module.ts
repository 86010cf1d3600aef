import { Module } from '@nestjs/common';
import { ModelEventsSubscriber } from './api/model-events.subscriber';
import { ModelHolder } from './application/model-holder.service';
import { TrainingClient } from './infra/training.client';

/**
 * The model lifecycle: loads the champion from training at start-up, on `models.v1.promoted` and on a periodic
 * check, and serves it through ModelHolder. Needs the global PlatformModule (config, JetStreamClient, breakers).
 */
@Module({
  providers: [TrainingClient, ModelHolder, ModelEventsSubscriber],
  exports: [ModelHolder],
})
export class ModelsModule {}
