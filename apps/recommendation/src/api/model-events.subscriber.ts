import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ModelPromotedV1 } from '@app/contracts';
import { JetStreamClient } from '@app/platform/messaging';
import { ModelHolder } from '../application/model-holder.service';

export const MODEL_PROMOTED_SUBJECT = 'models.v1.promoted';

/**
 * Every replica reacts to every promotion, so this is a live core-NATS subscription rather than a durable
 * consumer (which would hand each event to one replica only). A missed event is caught up by ModelHolder's
 * periodic champion check.
 */
@Injectable()
export class ModelEventsSubscriber implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ModelEventsSubscriber');
  private subscription?: { unsubscribe(): void };

  constructor(
    private readonly bus: JetStreamClient,
    private readonly models: ModelHolder,
  ) {}

  onApplicationBootstrap(): void {
    this.subscription = this.bus.subscribe(MODEL_PROMOTED_SUBJECT, (data) => this.onPromoted(data));
  }

  onApplicationShutdown(): void {
    try {
      this.subscription?.unsubscribe();
    } catch {
      // the connection may already be closed, which ends the subscription too
    }
    this.subscription = undefined;
  }

  onPromoted(data: unknown): void {
    const parsed = ModelPromotedV1.safeParse(data);
    if (!parsed.success) {
      this.logger.warn({ msg: 'ignoring a malformed models.v1.promoted event', issues: parsed.error.issues });
      return;
    }
    const e = parsed.data;
    this.logger.log({ msg: 'model promoted', modelId: e.modelId, version: e.version, reason: e.reason });
    void this.models.promoted({
      modelId: e.modelId,
      version: e.version,
      algorithm: e.algorithm,
      checksum: e.checksum,
      reason: e.reason,
      trainedUntil: new Date(e.trainedUntil),
    });
  }
}
