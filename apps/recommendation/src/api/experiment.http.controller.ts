import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { FieldViolation, ValidationError } from '@app/platform/errors';
import { ExperimentService } from '../application/experiment.service';
import {
  experimentFromJson,
  experimentInputFromProto,
  experimentToProto,
  resultsToProto,
  stateFilterFromProto,
  toJson,
} from './experiment.proto-mapping';

function number(v: string | undefined, field: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new ValidationError([{ field, message: 'must be a number' }]);
  return n;
}

/** REST mirror of the experiment methods; bodies are the proto's JSON form (camelCase). */
@Controller('v1/experiments')
export class ExperimentHttpController {
  constructor(private readonly experiments: ExperimentService) {}

  /** The body is the experiment (as in `body: "experiment"`); a `{ "experiment": … }` wrapper is accepted too. */
  @Post()
  async create(@Body() body: unknown) {
    const wrapped = typeof body === 'object' && body !== null && 'experiment' in body && Object.keys(body).length === 1;
    const violations: FieldViolation[] = [];
    const proto = experimentFromJson(wrapped ? (body as { experiment: unknown }).experiment : body, violations);
    const { input, violations: more } = experimentInputFromProto(proto);
    const experiment = await this.experiments.create(input, [...violations, ...more]);
    return toJson({ experiment: experimentToProto(experiment) });
  }

  @Post(':id/start')
  @HttpCode(200)
  async start(@Param('id') id: string) {
    return toJson({ experiment: experimentToProto(await this.experiments.start(id)) });
  }

  @Post(':id/stop')
  @HttpCode(200)
  async stop(@Param('id') id: string) {
    return toJson({ experiment: experimentToProto(await this.experiments.stop(id)) });
  }

  @Get(':id/results')
  async results(@Param('id') id: string, @Query('confidence') confidence?: string) {
    return toJson(resultsToProto(await this.experiments.results(id, number(confidence, 'confidence_level'))));
  }

  @Get(':id')
  async get(@Param('id') id: string) {
    return toJson({ experiment: experimentToProto(await this.experiments.get(id)) });
  }

  @Get()
  async list(@Query() q: Record<string, string | undefined>) {
    const page = await this.experiments.list({
      state: stateFilterFromProto(q.state),
      pageSize: number(q.pageSize, 'page_size'),
      pageToken: q.pageToken,
    });
    return toJson({ experiments: page.experiments.map(experimentToProto), nextPageToken: page.nextPageToken });
  }
}
