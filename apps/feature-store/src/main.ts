import { telemetry } from './telemetry';
import { runApp } from '@app/platform/bootstrap';
import { FeatureStoreModule } from './feature-store.module';

void runApp({ name: 'feature-store', module: FeatureStoreModule.register(), telemetry });
