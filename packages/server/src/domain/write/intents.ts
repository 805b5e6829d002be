import type { ActivityRow } from '../activities/activities.types.ts';
import type { AuthContext } from '../auth/auth.types.ts';
import type { RunRow } from '../runs/runs.types.ts';

/**
 * What a client asks the writer to do. Every entry point is a mapper to intents: a REST call
 * is one intent, an `/ingest` batch is N, a work-unit notification a few, a hook payload one.
 * Bodies are the matching REST route's body, already validated by its schema.
 */
export const INTENT_TYPES = Object.freeze([
  'run.create', 'run.start', 'run.heartbeat', 'run.complete', 'run.fail', 'run.cancel', 'steps.append', 'activity.create',
] as const);
export type IntentType = (typeof INTENT_TYPES)[number];

export interface Intent {
  type: IntentType;
  /** The run's id (run.*, steps.append) or the activity's id (activity.create). */
  id: string;
  body: Record<string, unknown>;
  auth: AuthContext;
  /** Where the body sits in the request, prefixed to field names in errors ('' for REST, 'items[3].body.' for /ingest). */
  at: string;
  /** A coding-assistant tool call's halves: storing either one completes the PostToolUse's duration. */
  pair?: { preId: string; postId: string };
}

/** One intent's answer: the status its REST route gives, and what it stored or found. */
export interface IntentResult {
  status: number;
  id: string;
  error?: string;
  message?: string;
  details?: Record<string, unknown>;
  /** run.* intents: the run as the transaction left it. */
  run?: RunRow;
  /** activity.create: the stored activity (also for a resend: the one stored before). */
  activity?: ActivityRow;
  /** steps.append: steps stored now, and those already stored (a resend). */
  steps?: { inserted: number; duplicates: number };
}

export const isFailure = (result: IntentResult) => result.status >= 400;
