import type { RunEndValues, RunOptions, StepOptions } from './types.js';
import { stepBody, type ItemType } from './wire.js';

/** What a run handle needs from its client: queueing that never throws. */
export interface RunSink {
  send(type: ItemType, id: string, body: Record<string, unknown>, payloadFields?: readonly string[]): void;
  sendStep(runId: string, step: Record<string, unknown>): void;
  runEnded(runId: string): void;
  internalError(err: unknown): void;
}

const TOKEN_FIELDS = ['inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens', 'reasoningTokens'] as const;
type TokenField = (typeof TOKEN_FIELDS)[number];
const WIRE_TOKENS: Record<TokenField, string> = {
  inputTokens: 'input_tokens',
  outputTokens: 'output_tokens',
  cacheReadTokens: 'cache_read_tokens',
  cacheWriteTokens: 'cache_write_tokens',
  reasoningTokens: 'reasoning_tokens',
};

const MAX_ERROR_CHARS = 20_000;
const MAX_LABEL_CHARS = 500;

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** error and error_type of a thrown value: its message, and its code or class name. */
export function describeError(err: unknown): { error: string; error_type: string } {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const type = typeof code === 'string' && code ? code : err.name !== 'Error' ? err.name : err.constructor?.name || 'Error';
    return { error: safeString(err.message).slice(0, MAX_ERROR_CHARS), error_type: safeString(type).slice(0, MAX_LABEL_CHARS) };
  }
  return { error: safeString(err).slice(0, MAX_ERROR_CHARS), error_type: typeof err };
}

/**
 * One run being recorded. Steps are numbered in call order; their token counts are summed
 * onto the run's end (the server prices the run from the run's own counts).
 */
export class RunHandle {
  private nextIndex = 0;
  private readonly indexes = new Set<number>();
  private readonly sums: Partial<Record<TokenField, number>> = {};
  private stepModel?: string;
  private stepProvider?: string;
  private readonly endValues: RunEndValues = {};
  private ended = false;

  constructor(
    readonly id: string,
    private readonly options: RunOptions,
    private readonly sink: RunSink,
  ) {}

  /** Records a step (sent with the next batch). Never throws. */
  step(step: StepOptions = {}): void {
    try {
      const index = step.stepIndex ?? this.nextIndex;
      this.nextIndex = Math.max(this.nextIndex, index + 1);
      if (!this.indexes.has(index) && !this.ended) {
        for (const field of TOKEN_FIELDS) {
          const n = step[field];
          if (typeof n === 'number') this.sums[field] = (this.sums[field] ?? 0) + n;
        }
        this.stepModel ??= step.model;
        this.stepProvider ??= step.providerType;
      }
      this.indexes.add(index);
      this.sink.sendStep(this.id, stepBody(index, step, new Date()));
    } catch (err) {
      this.sink.internalError(err);
    }
  }

  /** Sets values sent with the run's end (model, token counts, cost, policy). */
  set(values: RunEndValues): void {
    Object.assign(this.endValues, values);
  }

  /** Completes the run with this output. Only the first complete() or fail() counts. */
  complete(output?: unknown): void {
    this.end('run.complete', { output_data: output });
  }

  /** Fails the run with this error's message and type. Only the first complete() or fail() counts. */
  fail(error: unknown): void {
    this.end('run.fail', describeError(error));
  }

  private end(type: 'run.complete' | 'run.fail', extra: Record<string, unknown>): void {
    if (this.ended) return;
    this.ended = true;
    try {
      const v = this.endValues;
      const body: Record<string, unknown> = {
        // Fixed here, so a resend carries the same body and the server treats it as a repeat.
        completed_at: new Date().toISOString(),
        step_count: this.indexes.size,
        model: v.model ?? (this.options.model ? undefined : this.stepModel),
        provider_type: v.providerType ?? (this.options.providerType ? undefined : this.stepProvider),
        estimated_cost_usd: v.estimatedCostUsd,
        policy_violation: v.policyViolation,
        incident_count: v.incidentCount,
        ...extra,
      };
      for (const field of TOKEN_FIELDS) body[WIRE_TOKENS[field]] = v[field] ?? this.sums[field];
      this.sink.send(type, this.id, body, ['output_data']);
    } catch (err) {
      this.sink.internalError(err);
    } finally {
      this.sink.runEnded(this.id);
    }
  }
}
