/**
 * The frozen numbers behind the signals (seed 001, SPEC §3). The SQL, the API schemas and
 * the tests all read them from here.
 */

/** risk_level cut-offs on the highest ratio of use to limit (cost, tokens, duration). */
export const RISK_THRESHOLDS = Object.freeze({ VIOLATED: 1.0, AT_RISK: 0.9, NEAR_THRESHOLD: 0.75 });

/** SIG-O2: the levels that count as "near threshold" (seed 001 §3). */
export const NEAR_THRESHOLD_LEVELS = Object.freeze(['NEAR_THRESHOLD', 'AT_RISK'] as const);

/** latency_bucket: a finished run is SLOW past its baseline p95, or past this share of max_duration_ms. */
export const SLOW_SHARE_OF_MAX_DURATION = 0.75;
/** The duration baseline: the last 7 days of the same work unit (else agent), its newest runs only. */
export const BASELINE_DAYS = 7;
export const BASELINE_MAX_RUNS = 1_000;
/** Fewer finished runs than this and a p95 says nothing; the limit-based rule applies alone. */
export const BASELINE_MIN_RUNS = 5;

/** LIVE-O5: the only columns a client may group by (seed 001 §2). */
export const DIMENSIONS = Object.freeze(['provider_type', 'source', 'agent_id'] as const);
export type Dimension = (typeof DIMENSIONS)[number];
export const DIMENSION_BUCKETS = 20;

/** SIG-O5 weights: frozen, sum to 1 (seed 001 §6). A change means a new version. */
export const ATTENTION_WEIGHTS = Object.freeze({ risk: 0.35, impact: 0.25, latency: 0.15, recency: 0.15, evidence: 0.1 });
export const ATTENTION_WEIGHTS_VERSION = '1.0';
export const ATTENTION_SCORES = Object.freeze({
  risk: { VIOLATED: 1.0, AT_RISK: 0.8, NEAR_THRESHOLD: 0.5 },
  latency: { STALLED: 1.0, SLOW: 0.5 },
  evidence: { MISSING: 1.0, DEGRADED: 0.5 },
  impact: { policy_violation: 0.8, incident: 0.6 },
});

/** SIG-O3 thresholds (seed 001 §4): the least evidence that makes each pattern. */
export const PATTERN_THRESHOLDS = Object.freeze({
  retry_loop: 3, // retries summed over a run's steps
  step_oscillation: 3, // re-entries of a skill after a different skill
  tool_call_loop: 3, // calls of one skill within 5 consecutive steps
  timeout_cascade: 2, // steps slower than slow_threshold_ms
});
export const PATTERN_TYPES = Object.freeze(Object.keys(PATTERN_THRESHOLDS) as (keyof typeof PATTERN_THRESHOLDS)[]);
export type PatternType = keyof typeof PATTERN_THRESHOLDS;
/** Runs listed per pattern (the seed's LIMIT 10). */
export const PATTERN_RUN_LIMIT = 10;

/** SIG-O4: anomaly when the current average is this many baseline deviations above the mean. */
export const COST_Z_THRESHOLD = 2;
