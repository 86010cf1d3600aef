import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { JetStreamClient } from '@app/platform/messaging';
import { RecommendService } from '../application/recommend.service';

/**
 * Every replica hears every interaction as it happens (a live subscription, not a durable consumer):
 * the shopper's cached answers and remembered history are dropped, so their next request reflects what
 * they just did. A missed message only means an answer lives out its short TTL.
 */
@Injectable()
export class InteractionEventsSubscriber implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscription?: { unsubscribe(): void };

  constructor(
    private readonly client: JetStreamClient,
    private readonly recommendations: RecommendService,
  ) {}

  onApplicationBootstrap(): void {
    this.subscription = this.client.subscribe('events.v1.interaction', (data) => {
      const e = data as { userId?: unknown; sessionId?: unknown };
      this.recommendations.invalidate(
        typeof e?.userId === 'string' ? e.userId : undefined,
        typeof e?.sessionId === 'string' ? e.sessionId : undefined,
      );
    });
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }
}
