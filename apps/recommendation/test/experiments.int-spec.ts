import * as grpc from '@grpc/grpc-js';
import { DynamicModule, Module } from '@nestjs/common';
import { recommendationV1 } from '@app/contracts';
import { Env } from '@app/platform/config';
import { errorFromGrpc } from '@app/platform/errors';
import { DLQ_STREAM, RawPublish, readDeadLetterHeaders } from '@app/platform/messaging';
import { PlatformModule } from '@app/platform/platform';
import { eventually, startTestApp, TestApp } from '@app/testing/app';
import { grpcTestClient, GrpcTestClient } from '@app/testing/grpc';
import { ExperimentService } from '../src/application/experiment.service';
import { FeedbackService } from '../src/application/feedback.service';
import { ExperimentsModule } from '../src/experiments.module';
import { experimentMigrations } from '../src/infra/migrations/experiments.migrations';
import { recommendationConfigSchema } from '../src/recommendation.config';

type Results = recommendationV1.GetExperimentResultsResponse;
type ExperimentMsg = recommendationV1.Experiment;

@Module({})
class ExperimentsTestModule {
  static register(env: Env): DynamicModule {
    return {
      module: ExperimentsTestModule,
      imports: [
        PlatformModule.forRoot({
          app: 'recommendation',
          schema: recommendationConfigSchema,
          env,
          migrations: experimentMigrations,
        }),
        ExperimentsModule,
      ],
    };
  }
}

const SUBJECT = 'events.v1.interaction';
const DURABLE = 'recommendation-feedback';
let eventSeq = 0;

/** A cleaned interaction as ingestion publishes it, attributed to an experiment variant. */
function interaction(
  type: 'impression' | 'click' | 'purchase' | 'view',
  experimentId: string | undefined,
  variant: string | undefined,
  extra: Record<string, unknown> = {},
) {
  const now = new Date().toISOString();
  eventSeq += 1;
  return {
    eventId: `ev-${eventSeq}`,
    type,
    userId: `u-${eventSeq % 97}`,
    itemId: `i-${eventSeq % 13}`,
    occurredAt: now,
    receivedAt: now,
    context: { recommendationId: `rec-${eventSeq}`, experimentId, variant, placement: 'home' },
    ...(type === 'impression' ? { shownItemIds: ['i-1', 'i-2', 'i-3'] } : {}),
    ...(type === 'purchase' ? { quantity: 1, unitPriceMinor: 1000, currency: 'EUR' } : {}),
    ...extra,
  };
}

function variant(id: string, trafficBps: number, strategy = recommendationV1.Strategy.UNSPECIFIED, diversity?: number) {
  return { variantId: id, description: `${id} arm`, trafficBps, treatment: { modelId: '', strategy, diversity } };
}

describe('Experiments (service, real PostgreSQL and NATS)', () => {
  let t: TestApp;
  let rpc: GrpcTestClient;
  let service: ExperimentService;

  const call = <T>(method: string, request: object) => rpc.call<T>(method, request);
  const create = (experiment: object) =>
    call<recommendationV1.CreateExperimentResponse>('CreateExperiment', { experiment }).then((r) => r.experiment!);
  const start = (experimentId: string) =>
    call<recommendationV1.StartExperimentResponse>('StartExperiment', { experimentId }).then((r) => r.experiment!);
  const stop = (experimentId: string) =>
    call<recommendationV1.StopExperimentResponse>('StopExperiment', { experimentId }).then((r) => r.experiment!);
  const results = (experimentId: string, confidenceLevel = 0) =>
    call<Results>('GetExperimentResults', { experimentId, confidenceLevel });
  const rpcError = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error('expected the call to fail');
      },
      (err: grpc.ServiceError) => errorFromGrpc(err),
    );
  const http = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${t.app.httpUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  /** Publishes pipelined; each message its own msgId unless given. */
  async function publish(events: readonly object[], msgIdSuffix = ''): Promise<void> {
    const messages: RawPublish[] = events.map((e) => ({
      subjectSuffix: SUBJECT,
      body: new TextEncoder().encode(JSON.stringify(e)),
      msgId: `${(e as { eventId?: string }).eventId ?? Math.random()}${msgIdSuffix}`,
    }));
    for (let i = 0; i < messages.length; i += 1_000) await t.bus.publishMany(messages.slice(i, i + 1_000), 30_000);
  }

  /** Waits until the consumer has acknowledged everything published so far. */
  async function drained(): Promise<void> {
    await eventually(
      () => t.bus.consumerProgress('EVENTS', DURABLE),
      (p) => !!p && p.pending === 0 && p.ackPending === 0,
      'the feedback consumer to catch up',
      30_000,
    );
  }

  beforeAll(async () => {
    t = await startTestApp('recommendation', (env) => ExperimentsTestModule.register(env), {
      RECOMMENDATION_EXPERIMENT_REFRESH_SECONDS: '1',
    });
    rpc = grpcTestClient('recommendation', t.app.grpcUrl);
    service = t.app.app.get(ExperimentService);
  }, 60_000);

  afterAll(async () => {
    rpc?.close();
    await t?.close();
  });

  it('creates a draft, starts it, assigns stably with shares respected, and counts the assigned', async () => {
    const draft = await create({
      experimentId: 'exp-assign',
      name: 'Trending vs personalised',
      description: 'Does trending beat the model on the home page?',
      placements: ['home'],
      variants: [variant('control', 6_000), variant('trending', 4_000, recommendationV1.Strategy.TRENDING, 0.3)],
    });
    expect(draft).toMatchObject({
      experimentId: 'exp-assign',
      state: recommendationV1.ExperimentState.DRAFT,
      placements: ['home'],
      startedAt: null,
    });
    expect(draft.variants[1].treatment).toMatchObject({ strategy: 'STRATEGY_TRENDING', diversity: 0.3 });
    expect(service.assign('user-1', 'home')).toBeUndefined(); // a draft assigns nothing

    const running = await start('exp-assign');
    expect(running.state).toBe(recommendationV1.ExperimentState.RUNNING);
    expect(running.startedAt).not.toBeNull();

    const first = service.assign('user-1', 'home');
    expect(first).toMatchObject({ experimentId: 'exp-assign' });
    for (let i = 0; i < 100; i++) expect(service.assign('user-1', 'home')).toEqual(first);
    expect(service.assign('user-1', 'pdp')).toBeUndefined(); // not its placement
    expect(service.assign('user-1', undefined)).toBeUndefined();

    const n = 20_000;
    const counts = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const a = service.assign(`subject-${i}`, 'home')!;
      counts.set(a.variantId, (counts.get(a.variantId) ?? 0) + 1);
      if (a.variantId === 'trending') expect(a.treatment).toEqual({ strategy: 'trending', diversity: 0.3 });
      else expect(a.treatment).toEqual({ strategy: 'default' });
    }
    expect(Math.abs(counts.get('control')! / n - 0.6)).toBeLessThan(0.01);
    expect(Math.abs(counts.get('trending')! / n - 0.4)).toBeLessThan(0.01);

    // Assignments reach the database in the background; `assigned` counts distinct subjects.
    const r = await eventually(
      () => results('exp-assign'),
      (x) => x.variants.reduce((s, v) => s + v.assigned, 0) === n + 1,
      'assignments to be recorded',
    );
    expect(r.variants.map((v) => [v.variantId, v.assigned])).toEqual([
      ['control', counts.get('control')! + (first!.variantId === 'control' ? 1 : 0)],
      ['trending', counts.get('trending')! + (first!.variantId === 'trending' ? 1 : 0)],
    ]);
  });

  it('lets the oldest running experiment win where several apply', async () => {
    await create({
      experimentId: 'exp-everywhere',
      name: 'Everywhere',
      variants: [variant('a', 5_000), variant('b', 5_000)],
    });
    await start('exp-everywhere');
    expect(service.assign('user-1', 'home')!.experimentId).toBe('exp-assign'); // started first
    expect(service.assign('user-1', 'pdp')!.experimentId).toBe('exp-everywhere');
    expect(service.assign('user-1', undefined)!.experimentId).toBe('exp-everywhere');
    await stop('exp-everywhere');
    expect(service.assign('user-1', 'pdp')).toBeUndefined(); // at once in this process
  });

  it('counts feedback from the bus: CTR, conversion and revenue per impression with intervals and tests', async () => {
    await create({
      experimentId: 'exp-fb',
      name: 'Feedback',
      placements: ['listing'],
      variants: [variant('control', 3_334), variant('better', 3_333), variant('same', 3_333)],
    });
    await start('exp-fb');
    const events: object[] = [];
    const arm = (id: string, impressions: number, clicks: number, purchases: number, quantity: number) => {
      for (let i = 0; i < impressions; i++) events.push(interaction('impression', 'exp-fb', id));
      for (let i = 0; i < clicks; i++) events.push(interaction('click', 'exp-fb', id));
      for (let i = 0; i < purchases; i++) events.push(interaction('purchase', 'exp-fb', id, { quantity }));
    };
    arm('control', 2_000, 200, 20, 1);
    arm('better', 2_000, 300, 40, 2);
    arm('same', 2_000, 202, 20, 1);
    // Not counted: no experiment context, an unknown experiment, an unknown variant, a view.
    events.push(interaction('impression', undefined, undefined));
    events.push(interaction('impression', 'exp-nope', 'control'));
    events.push(interaction('impression', 'exp-fb', 'nope'));
    events.push(interaction('view', 'exp-fb', 'control'));
    await publish(events);
    await drained();

    const r = await results('exp-fb');
    const [control, better, same] = r.variants;
    expect(r.variants.map((v) => [v.variantId, v.impressions, v.clicks, v.conversions])).toEqual([
      ['control', 2_000, 200, 20],
      ['better', 2_000, 300, 40],
      ['same', 2_000, 202, 20],
    ]);
    expect(control.revenue).toEqual({ amountMinor: 20_000, currencyCode: 'EUR' });
    expect(better.revenue).toEqual({ amountMinor: 80_000, currencyCode: 'EUR' });
    // Wilson interval of 200/2000 at 95%.
    expect(control.ctr!.value).toBeCloseTo(0.1, 12);
    expect(control.ctr!.lower).toBeCloseTo(0.0876092254, 8);
    expect(control.ctr!.upper).toBeCloseTo(0.1139244124, 8);
    expect(control.revenuePerImpression!.value).toBeCloseTo(10, 12);
    expect(better.revenuePerImpression!.value).toBeCloseTo(40, 12);
    // 20 purchases of 1000 among 2000 impressions: s² = (20·10⁶ − 2·10⁴·10)/1999, half-width 1.96·√(s²/2000).
    const s2 = (20 * 1_000_000 - 20_000 * 10) / 1_999;
    expect(control.revenuePerImpression!.upper - 10).toBeCloseTo(1.959964 * Math.sqrt(s2 / 2_000), 4);
    expect(control.comparisons).toEqual([]);

    const metric = (v: recommendationV1.VariantResult, m: string) => v.comparisons.find((c) => c.metric === m)!;
    expect(metric(better, 'ctr')).toMatchObject({ significant: true });
    expect(metric(better, 'ctr').lift!.value).toBeCloseTo(0.5, 12);
    expect(metric(better, 'ctr').pValue).toBeLessThan(0.001);
    expect(metric(better, 'revenue_per_impression')).toMatchObject({ significant: true });
    expect(metric(better, 'revenue_per_impression').lift!.value).toBeCloseTo(3, 12);
    expect(metric(same, 'ctr')).toMatchObject({ significant: false });
    expect(metric(same, 'ctr').pValue).toBeGreaterThan(0.5);
    expect(metric(same, 'conversion_rate')).toMatchObject({ significant: false, pValue: 1 });

    // A stricter level widens the intervals.
    const strict = await results('exp-fb', 0.99);
    expect(strict.variants[0].ctr!.lower).toBeLessThan(control.ctr!.lower);
  });

  it('does not count an event twice: re-published under another msgId, or redelivered', async () => {
    const before = (await results('exp-fb')).variants[0];
    const e = interaction('impression', 'exp-fb', 'control');
    await publish([e], ':first');
    await publish([e], ':again');
    await publish([interaction('click', 'exp-fb', 'control')]);
    await drained();
    const after = (await results('exp-fb')).variants[0];
    expect([after.impressions - before.impressions, after.clicks - before.clicks]).toEqual([1, 1]);

    // A redelivery of a batch already counted (as after a crash before the ack) changes nothing.
    const feedback = t.app.app.get(FeedbackService);
    expect(await feedback.countBatch([{ seq: 1, data: e }])).toEqual({ counted: 0, rejected: [] });
    expect((await results('exp-fb')).variants[0].impressions).toBe(after.impressions);
  });

  it('dead-letters a payload that breaks the schema and counts the rest', async () => {
    const dead: ReturnType<typeof readDeadLetterHeaders>[] = [];
    const probe = await t.bus.consume({
      stream: DLQ_STREAM,
      durable: 'dlq-probe',
      handler: async (m) => void dead.push(readDeadLetterHeaders(m.headers)),
    });
    try {
      const before = (await results('exp-fb')).variants[1].impressions;
      await t.bus.publish(SUBJECT, { eventId: 'bad', type: 'impression' }, { msgId: 'bad' });
      await publish([interaction('impression', 'exp-fb', 'better')]);
      await drained();
      expect((await results('exp-fb')).variants[1].impressions).toBe(before + 1);
      await eventually(
        async () => dead.length,
        (n) => n > 0,
        'the bad event in the DLQ',
      );
      expect(dead[0]).toMatchObject({ originalMsgId: 'bad', consumer: DURABLE });
      expect(dead[0].reason).toMatch(/itemId/);
    } finally {
      await probe.close();
    }
  });

  it('freezes results at stop: later events are not counted, and it assigns no more', async () => {
    const before = await results('exp-fb');
    const stopped = await stop('exp-fb');
    expect(stopped.state).toBe(recommendationV1.ExperimentState.STOPPED);
    expect(stopped.stoppedAt).not.toBeNull();
    expect(service.assign('someone', 'listing')).toBeUndefined();
    await publish([
      interaction('impression', 'exp-fb', 'control'),
      interaction('click', 'exp-fb', 'control'),
      interaction('purchase', 'exp-fb', 'better'),
    ]);
    await drained();
    const after = await results('exp-fb');
    expect(after.variants.map((v) => [v.impressions, v.clicks, v.conversions])).toEqual(
      before.variants.map((v) => [v.impressions, v.clicks, v.conversions]),
    );
    expect(after.experiment!.state).toBe(recommendationV1.ExperimentState.STOPPED);
  });

  it('refuses wrong state changes, unknown ids and duplicate ids with stable codes', async () => {
    await create({ experimentId: 'exp-states', name: 'States', variants: [variant('a', 5_000), variant('b', 5_000)] });
    expect(await rpcError(stop('exp-states'))).toMatchObject({
      status: grpc.status.FAILED_PRECONDITION,
      code: 'EXPERIMENT.BAD_STATE',
    });
    await start('exp-states');
    expect(await rpcError(start('exp-states'))).toMatchObject({ code: 'EXPERIMENT.BAD_STATE' });
    await stop('exp-states');
    expect(await rpcError(start('exp-states'))).toMatchObject({ code: 'EXPERIMENT.BAD_STATE' });
    expect(await rpcError(stop('exp-states'))).toMatchObject({ code: 'EXPERIMENT.BAD_STATE' });
    expect(await rpcError(call('GetExperiment', { experimentId: 'exp-missing' }))).toMatchObject({
      status: grpc.status.NOT_FOUND,
      code: 'EXPERIMENT.NOT_FOUND',
    });
    expect(
      await rpcError(
        create({ experimentId: 'exp-states', name: 'Again', variants: [variant('a', 5_000), variant('b', 5_000)] }),
      ),
    ).toMatchObject({ status: grpc.status.ALREADY_EXISTS, code: 'EXPERIMENT.ALREADY_EXISTS' });

    const rest = await http('POST', '/v1/experiments/exp-states/start');
    expect(rest.status).toBe(422);
    expect(rest.body.error).toMatchObject({ code: 'EXPERIMENT.BAD_STATE' });
    expect((await http('GET', '/v1/experiments/exp-missing')).status).toBe(404);
  });

  it('names the bad field: gRPC INVALID_ARGUMENT and HTTP 400', async () => {
    const bad = await rpcError(
      create({
        name: 'Bad',
        variants: [variant('a', 5_000), variant('a', 4_000, 9 as unknown as recommendationV1.Strategy, 2)],
      }),
    );
    expect(bad.status).toBe(grpc.status.INVALID_ARGUMENT);
    expect(bad.violations.map((v) => v.field)).toEqual([
      'experiment.variants[1].treatment.strategy',
      'experiment.variants[1].variant_id',
      'experiment.variants[1].treatment.diversity',
      'experiment.variants',
    ]);
    expect(bad.message).toMatch(/experiment\.variants\[1\]\.treatment\.strategy/);
    const one = await rpcError(create({ name: 'One', variants: [variant('a', 10_000)] }));
    expect(one.violations).toEqual([{ field: 'experiment.variants', message: expect.stringMatching(/at least two/) }]);
    expect((await rpcError(results('exp-fb', 1.5))).violations).toEqual([
      { field: 'confidence_level', message: expect.any(String) },
    ]);
    expect((await rpcError(start(''))).violations).toEqual([{ field: 'experiment_id', message: 'is required' }]);

    const rest = await http('POST', '/v1/experiments', {
      name: 'Bad over REST',
      variants: [
        { variantId: 'a', trafficBps: 5_000 },
        { variantId: 'b', trafficBps: 'half' },
      ],
    });
    expect(rest.status).toBe(400);
    expect(rest.body.error).toMatchObject({
      code: 'EXPERIMENT.INVALID',
      violations: expect.arrayContaining([
        { field: 'experiment.variants[1].traffic_bps', message: 'must be a number' },
      ]),
    });
    const filter = await http('GET', '/v1/experiments?state=paused');
    expect(filter.status).toBe(400);
    expect(filter.body.error).toMatchObject({ violations: [{ field: 'state', message: expect.any(String) }] });
    expect((await http('GET', '/v1/experiments?pageToken=garbage')).body.error).toMatchObject({
      violations: [{ field: 'page_token', message: expect.any(String) }],
    });
    expect((await http('GET', '/v1/experiments/exp-fb/results?confidence=2')).status).toBe(400);
  });

  it('manages and reads experiments over REST in the proto JSON form, with paging', async () => {
    const created = await http('POST', '/v1/experiments', {
      experimentId: 'exp-rest',
      name: 'Over REST',
      placements: ['cart'],
      variants: [
        { variantId: 'control', trafficBps: 5_000 },
        { variantId: 'popular', trafficBps: 5_000, treatment: { strategy: 'STRATEGY_POPULAR', modelId: 'als-7' } },
      ],
    });
    expect(created.status).toBe(201);
    const experiment = created.body.experiment as ExperimentMsg & { createdAt: string };
    expect(experiment).toMatchObject({ experimentId: 'exp-rest', state: 'EXPERIMENT_STATE_DRAFT' });
    expect(experiment.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(experiment.variants[1].treatment).toEqual({ modelId: 'als-7', strategy: 'STRATEGY_POPULAR' });

    expect((await http('POST', '/v1/experiments/exp-rest/start')).body.experiment).toMatchObject({
      state: 'EXPERIMENT_STATE_RUNNING',
    });
    expect(service.assign('someone', 'cart')!.treatment.strategy).toMatch(/default|popular/);
    const got = await http('GET', '/v1/experiments/exp-rest');
    expect(got.body.experiment).toMatchObject({ state: 'EXPERIMENT_STATE_RUNNING', startedAt: expect.any(String) });
    const res = await http('GET', '/v1/experiments/exp-rest/results?confidence=0.9');
    expect(res.status).toBe(200);
    expect(res.body.variants).toHaveLength(2);
    expect((res.body.variants as { ctr: unknown }[])[0].ctr).toEqual({ value: 0, lower: 0, upper: 1 });
    expect((await http('POST', '/v1/experiments/exp-rest/stop')).body.experiment).toMatchObject({
      state: 'EXPERIMENT_STATE_STOPPED',
    });

    // Newest first, two per page, across every page; and a state filter.
    const ids: string[] = [];
    let token = '';
    do {
      const page = await http('GET', `/v1/experiments?pageSize=2${token ? `&pageToken=${token}` : ''}`);
      ids.push(...(page.body.experiments as ExperimentMsg[]).map((e) => e.experimentId));
      token = (page.body.nextPageToken as string | undefined) ?? '';
    } while (token);
    expect(ids).toEqual(['exp-rest', 'exp-states', 'exp-fb', 'exp-everywhere', 'exp-assign']);
    const running = await call<recommendationV1.ListExperimentsResponse>('ListExperiments', {
      state: recommendationV1.ExperimentState.RUNNING,
    });
    expect(running.experiments.map((e) => e.experimentId)).toEqual(['exp-assign']);
    expect(running.nextPageToken).toBe('');
  });
});
