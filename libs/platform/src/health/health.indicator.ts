/** A dependency that must answer for the app to be ready. `check` rejects when it does not. */
export interface HealthIndicator {
  readonly name: string;
  check(): Promise<void>;
}

/** Tokens under which platform modules offer their readiness checks. */
export const HEALTH_INDICATORS = {
  database: Symbol('HEALTH_INDICATOR_DATABASE'),
  messaging: Symbol('HEALTH_INDICATOR_MESSAGING'),
} as const;
