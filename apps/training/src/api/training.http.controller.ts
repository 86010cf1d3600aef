import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, StreamableFile } from '@nestjs/common';
import { parseOrThrow } from '@app/platform/errors';
import { z } from 'zod';
import { ModelRegistryService } from '../application/model-registry.service';
import { TrainingRunService } from '../application/training-run.service';
import { ModelStatus } from '../domain/model-version';
import { RunState } from '../domain/run';
import {
  CompareRequest,
  ModelIdRequest,
  nextToken,
  page,
  Paging,
  RunIdRequest,
  startRunFromHttp,
} from './training.requests';

/*
 * REST mirror of the gRPC API, for operators' tools and browsers. JSON in camelCase, times as ISO-8601.
 */

const RunsQuery = Paging.extend({
  state: z.enum(['pending', 'running', 'succeeded', 'failed', 'cancelled']).optional(),
});

const ModelsQuery = Paging.extend({
  status: z.enum(['registered', 'champion', 'retired', 'rejected', 'rolled_back']).optional(),
  algorithm: z.string().trim().max(64).optional(),
  runId: z.uuid({ message: 'must be a run id (UUID)' }).optional(),
});

const list = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter((s) => s !== ''));

const CompareQuery = z.object({ ids: list.default([]), metrics: list.default([]) });

const PromoteBody = z.object({
  force: z.boolean().default(false),
  reason: z.string().max(4000).default(''),
  requestedBy: z.string().trim().min(1, 'is required').max(128),
});

const RollbackBody = PromoteBody.omit({ force: true });

@Controller('v1')
export class TrainingHttpController {
  constructor(
    private readonly runs: TrainingRunService,
    private readonly registry: ModelRegistryService,
  ) {}

  /** Queues a run (idempotent by requestId); poll GET /v1/runs/:id for its progress. */
  @Post('runs')
  @HttpCode(202)
  async startRun(@Body() body: unknown) {
    return { run: await this.runs.request(startRunFromHttp(body)) };
  }

  @Get('runs')
  async listRuns(@Query() query: unknown) {
    const q = parseOrThrow(RunsQuery, query);
    const { limit, offset } = page(q);
    const runs = await this.runs.list(q.state as RunState | undefined, limit + 1, offset);
    return { runs: runs.slice(0, limit), nextPageToken: nextToken(offset, limit, runs.length) };
  }

  @Get('runs/:runId')
  async getRun(@Param('runId') runId: string) {
    return { run: await this.runs.get(parseOrThrow(RunIdRequest, { runId }).runId) };
  }

  @Post('runs/:runId/cancel')
  @HttpCode(200)
  async cancelRun(@Param('runId') runId: string) {
    return { run: await this.runs.cancel(parseOrThrow(RunIdRequest, { runId }).runId) };
  }

  @Get('models')
  async listModels(@Query() query: unknown) {
    const q = parseOrThrow(ModelsQuery, query);
    const { limit, offset } = page(q);
    const models = await this.registry.list(
      { status: q.status as ModelStatus | undefined, algorithm: q.algorithm || undefined, runId: q.runId },
      limit + 1,
      offset,
    );
    return { models: models.slice(0, limit), nextPageToken: nextToken(offset, limit, models.length) };
  }

  /** `GET /v1/models/compare?ids=a,b&metrics=ndcg,precision`. */
  @Get('models/compare')
  async compare(@Query() query: unknown) {
    const q = parseOrThrow(CompareQuery, query);
    const r = parseOrThrow(CompareRequest, { modelIds: q.ids, metrics: q.metrics });
    return this.registry.compare(r.modelIds, r.metrics);
  }

  /** A model by id, or the aliases `champion` and `latest`. */
  @Get('models/:modelId')
  async getModel(@Param('modelId') modelId: string) {
    if (modelId === 'champion' || modelId === 'latest') return { model: await this.registry.byAlias(modelId) };
    return { model: await this.registry.get(parseOrThrow(ModelIdRequest, { modelId }).modelId) };
  }

  /** The artifact's bytes (checksum verified); the header `x-artifact-sha256` carries the checksum. */
  @Get('models/:modelId/artifact')
  @Header('content-type', 'application/octet-stream')
  async artifact(@Param('modelId') modelId: string): Promise<StreamableFile> {
    const { model, bytes } = await this.registry.artifact(parseOrThrow(ModelIdRequest, { modelId }).modelId);
    return new StreamableFile(bytes, {
      type: 'application/octet-stream',
      disposition: `attachment; filename="${model.modelId}.rsys"`,
      length: bytes.length,
    });
  }

  @Post('models/:modelId/promote')
  @HttpCode(200)
  async promote(@Param('modelId') modelId: string, @Body() body: unknown) {
    const id = parseOrThrow(ModelIdRequest, { modelId }).modelId;
    const b = parseOrThrow(PromoteBody, body ?? {});
    return this.registry.promote(id, { force: b.force, note: b.reason, requestedBy: b.requestedBy });
  }

  /** Makes this earlier model the champion again. */
  @Post('models/:modelId/rollback')
  @HttpCode(200)
  async rollbackTo(@Param('modelId') modelId: string, @Body() body: unknown) {
    const id = parseOrThrow(ModelIdRequest, { modelId }).modelId;
    const b = parseOrThrow(RollbackBody, body ?? {});
    const r = await this.registry.rollback(id, { note: b.reason, requestedBy: b.requestedBy });
    return { model: r.model, previousChampion: r.previous };
  }

  /** Restores the champion before the current one. */
  @Post('models/rollback')
  @HttpCode(200)
  async rollback(@Body() body: unknown) {
    const b = parseOrThrow(RollbackBody, body ?? {});
    const r = await this.registry.rollback(undefined, { note: b.reason, requestedBy: b.requestedBy });
    return { model: r.model, previousChampion: r.previous };
  }
}
