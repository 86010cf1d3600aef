import { telemetry } from './telemetry';
import { runApp } from '@app/platform/bootstrap';
import { DssModule } from './dss.module';

void runApp({ name: 'dss', module: DssModule.register(), telemetry });
