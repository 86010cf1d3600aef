import { telemetry } from './telemetry';
import { runApp } from '@app/platform/bootstrap';
import { RecommendationModule } from './recommendation.module';

void runApp({ name: 'recommendation', module: RecommendationModule.register(), telemetry });
