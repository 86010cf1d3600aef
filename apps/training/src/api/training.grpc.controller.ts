import { Controller } from '@nestjs/common';
import { trainingV1 } from '@app/contracts';
import { parseOrThrow, ValidationError } from '@app/platform/errors';
import { concatMap, defer, from, Observable } from 'rxjs';
import { ModelRegistryService } from '../application/model-registry.service';
import { TrainingRunService } from '../application/training-run.service';
import { ModelVersion } from '../domain/model-version';
import {
  decisionToProto,
  modelStatusFromProto,
  modelToProto,
  runStateFromProto,
  runToProto,
} from './training.proto-mapping';
import {
  ArtifactRequest,
  CompareRequest,
  modelId,
  nextToken,
  page,
  Paging,
  PromoteRequest,
  RollbackRequest,
  RunIdRequest,
  startRunFromProto,
} from './training.requests';

const DEFAULT_CHUNK_BYTES = 256 * 1024;

/** gRPC entry points: validate, delegate, translate. */
@Controller()
@trainingV1.TrainingServiceControllerMethods()
export class TrainingGrpcController implements trainingV1.TrainingServiceController {
  constructor(
    private readonly runs: TrainingRunService,
    private readonly registry: ModelRegistryService,
  ) {}

  async startRun(r: trainingV1.StartRunRequest): Promise<trainingV1.StartRunResponse> {
    return { run: runToProto(await this.runs.request(startRunFromProto(r))) };
  }

  async getRun(r: trainingV1.GetRunRequest): Promise<trainingV1.GetRunResponse> {
    return { run: runToProto(await this.runs.get(parseOrThrow(RunIdRequest, r).runId)) };
  }

  async listRuns(r: trainingV1.ListRunsRequest): Promise<trainingV1.ListRunsResponse> {
    const { limit, offset } = page(parseOrThrow(Paging, r));
    const runs = await this.runs.list(runStateFromProto(r.state), limit + 1, offset);
    return { runs: runs.slice(0, limit).map(runToProto), nextPageToken: nextToken(offset, limit, runs.length) };
  }

  async cancelRun(r: trainingV1.CancelRunRequest): Promise<trainingV1.CancelRunResponse> {
    return { run: runToProto(await this.runs.cancel(parseOrThrow(RunIdRequest, r).runId)) };
  }

  async listModels(r: trainingV1.ListModelsRequest): Promise<trainingV1.ListModelsResponse> {
    const { limit, offset } = page(parseOrThrow(Paging, r));
    const runId = r.runId ? parseOrThrow(RunIdRequest, r).runId : undefined;
    const models = await this.registry.list(
      { status: modelStatusFromProto(r.status), algorithm: r.algorithm || undefined, runId },
      limit + 1,
      offset,
    );
    return { models: models.slice(0, limit).map(modelToProto), nextPageToken: nextToken(offset, limit, models.length) };
  }

  async getModel(r: trainingV1.GetModelRequest): Promise<trainingV1.GetModelResponse> {
    let model: ModelVersion;
    if (r.modelId !== undefined) {
      model = await this.registry.get(parseOrThrow(modelId, r.modelId));
    } else if (r.alias === trainingV1.ModelAlias.CHAMPION || r.alias === trainingV1.ModelAlias.LATEST) {
      model = await this.registry.byAlias(r.alias === trainingV1.ModelAlias.CHAMPION ? 'champion' : 'latest');
    } else {
      throw new ValidationError([{ field: 'selector', message: 'give model_id or alias (CHAMPION or LATEST)' }]);
    }
    return { model: modelToProto(model) };
  }

  async compareModels(r: trainingV1.CompareModelsRequest): Promise<trainingV1.CompareModelsResponse> {
    const q = parseOrThrow(CompareRequest, r);
    const c = await this.registry.compare(q.modelIds, q.metrics);
    return { models: c.models.map(modelToProto), metrics: c.metrics, sameHoldout: c.sameHoldout };
  }

  async promoteModel(r: trainingV1.PromoteModelRequest): Promise<trainingV1.PromoteModelResponse> {
    const q = parseOrThrow(PromoteRequest, r);
    const { model, decision } = await this.registry.promote(q.modelId, {
      force: q.force,
      note: q.reason,
      requestedBy: q.requestedBy,
    });
    return { model: modelToProto(model), decision: decisionToProto(decision) };
  }

  async rollbackModel(r: trainingV1.RollbackModelRequest): Promise<trainingV1.RollbackModelResponse> {
    const q = parseOrThrow(RollbackRequest, r);
    const { model, previous } = await this.registry.rollback(q.modelId || undefined, {
      note: q.reason,
      requestedBy: q.requestedBy,
    });
    return { model: modelToProto(model), previousChampion: modelToProto(previous) };
  }

  /** The description first (with an empty chunk), then the bytes from `offset` in chunks. */
  getModelArtifact(r: trainingV1.GetModelArtifactRequest): Observable<trainingV1.GetModelArtifactResponse> {
    return defer(async () => {
      const q = parseOrThrow(ArtifactRequest, r);
      return { q, ...(await this.registry.artifact(q.modelId)) };
    }).pipe(
      concatMap(({ q, model, bytes }) => {
        if (q.offset > bytes.length) {
          throw new ValidationError([{ field: 'offset', message: `beyond the artifact's ${bytes.length} bytes` }]);
        }
        const size = q.chunkSize || DEFAULT_CHUNK_BYTES;
        const messages: trainingV1.GetModelArtifactResponse[] = [
          { artifact: modelToProto(model).artifact, offset: q.offset, chunk: Buffer.alloc(0) },
        ];
        for (let at = q.offset; at < bytes.length; at += size) {
          messages.push({ artifact: null, offset: at, chunk: bytes.subarray(at, at + size) });
        }
        return from(messages);
      }),
    );
  }
}
