import { telemetry } from './telemetry';
import { runApp } from '@app/platform/bootstrap';
import { IngestionModule } from './ingestion.module';

void runApp({ name: 'ingestion', module: IngestionModule.register(), telemetry });
