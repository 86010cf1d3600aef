import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { recommendationV1 } from '@app/contracts';
import { ExperimentService } from '../application/experiment.service';
import {
  experimentInputFromProto,
  experimentToProto,
  resultsToProto,
  stateFilterFromProto,
} from './experiment.proto-mapping';

const SERVICE = 'RecommendationService';

/**
 * The experiment methods of RecommendationService. Methods are bound one by one (not with the
 * generated ControllerMethods decorator) because another controller serves the service's other methods.
 */
@Controller()
export class ExperimentGrpcController {
  constructor(private readonly experiments: ExperimentService) {}

  @GrpcMethod(SERVICE, 'CreateExperiment')
  async createExperiment(
    r: recommendationV1.CreateExperimentRequest,
  ): Promise<recommendationV1.CreateExperimentResponse> {
    const { input, violations } = experimentInputFromProto(r.experiment);
    return { experiment: experimentToProto(await this.experiments.create(input, violations)) };
  }

  @GrpcMethod(SERVICE, 'StartExperiment')
  async startExperiment(r: recommendationV1.StartExperimentRequest): Promise<recommendationV1.StartExperimentResponse> {
    return { experiment: experimentToProto(await this.experiments.start(r.experimentId)) };
  }

  @GrpcMethod(SERVICE, 'StopExperiment')
  async stopExperiment(r: recommendationV1.StopExperimentRequest): Promise<recommendationV1.StopExperimentResponse> {
    return { experiment: experimentToProto(await this.experiments.stop(r.experimentId)) };
  }

  @GrpcMethod(SERVICE, 'GetExperiment')
  async getExperiment(r: recommendationV1.GetExperimentRequest): Promise<recommendationV1.GetExperimentResponse> {
    return { experiment: experimentToProto(await this.experiments.get(r.experimentId)) };
  }

  @GrpcMethod(SERVICE, 'ListExperiments')
  async listExperiments(r: recommendationV1.ListExperimentsRequest): Promise<recommendationV1.ListExperimentsResponse> {
    const page = await this.experiments.list({
      state: stateFilterFromProto(r.state),
      pageSize: r.pageSize,
      pageToken: r.pageToken,
    });
    return { experiments: page.experiments.map(experimentToProto), nextPageToken: page.nextPageToken };
  }

  @GrpcMethod(SERVICE, 'GetExperimentResults')
  async getExperimentResults(
    r: recommendationV1.GetExperimentResultsRequest,
  ): Promise<recommendationV1.GetExperimentResultsResponse> {
    return resultsToProto(await this.experiments.results(r.experimentId, r.confidenceLevel));
  }
}
