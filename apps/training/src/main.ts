import { telemetry } from './telemetry';
import { runApp } from '@app/platform/bootstrap';
import { TrainingModule } from './training.module';

void runApp({ name: 'training', module: TrainingModule.register(), telemetry });
