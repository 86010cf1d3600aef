// Must be the first import of main.ts: instrumentation patches modules as they are first required.
import { startTelemetryFromEnv } from '@app/platform/telemetry';

export const telemetry = startTelemetryFromEnv('feature-store');
