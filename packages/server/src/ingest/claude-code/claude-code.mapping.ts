import { ValidationError } from '../../errors.ts';
import { hashOf } from '../../lib/stable-json.ts';
import type { NewActivity } from '../../domain/activities/activities.types.ts';
import { boundJson, storable, truncate } from './bounded-json.ts';
import { CLAUDE_CODE_SOURCE, HOOK_EVENT_TYPES, type ClaudeCodeHookPayload } from './claude-code.schemas.ts';

/** A hook payload as an activity (without the caller's user and project), and the Pre/Post pair it belongs to. */
export interface MappedHook {
  activity: NewActivity;
  /** Tool events with a tool_use_id: the ids of both halves, for the duration. */
  pair: { preId: string; postId: string } | null;
}

const TARGET_MAX = 500;
const DESCRIPTION_MAX = 1000;
const PROMPT_DATA_MAX = 4096;

/** tool_input keys naming what a tool acts on, most specific first (Read/Edit/Write, NotebookEdit, LS, Bash, WebFetch, Grep/Glob, WebSearch, Task). */
const TARGET_KEYS = ['file_path', 'notebook_path', 'path', 'command', 'url', 'pattern', 'query', 'description'] as const;

const SAFE_ID_PART = /^[A-Za-z0-9._@+=-]{1,80}$/;

/** An id segment that fits the API's id pattern: the value itself when it is tame, else its hash. */
export function idPart(value: string): string {
  return SAFE_ID_PART.test(value) ? value : hashOf(value).slice(0, 22);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function text(value: unknown, max: number): string | null {
  return typeof value === 'string' && value.trim() !== '' ? truncate(value, max) : null;
}

function toolTarget(input: unknown): string | null {
  if (!isObject(input)) return null;
  for (const key of TARGET_KEYS) {
    const value = text(input[key], TARGET_MAX);
    if (value) return value;
  }
  return null;
}

/** PostToolUse fires after the tool ran, which is not the same as it succeeding: read the response. */
export function responseFailed(response: unknown): boolean {
  if (!isObject(response)) return false;
  const error = response.error;
  return response.is_error === true || response.isError === true || response.success === false || response.interrupted === true
    || (error !== undefined && error !== null && error !== false && error !== '');
}

function statusOf(p: ClaudeCodeHookPayload): string | null {
  switch (p.hook_event_name) {
    case 'PreToolUse': return 'in_progress';
    case 'PostToolUse': return responseFailed(p.tool_response) ? 'failed' : 'success';
    case 'PostToolUseFailure': return 'failed';
    default: return null;
  }
}

function targetOf(p: ClaudeCodeHookPayload): string | null {
  switch (HOOK_EVENT_TYPES[p.hook_event_name]) {
    case 'tool': return toolTarget(p.tool_input);
    case 'prompt': return text(p.prompt, TARGET_MAX);
    case 'notification': return text(p.message, TARGET_MAX);
    default: return text(p.cwd, TARGET_MAX);
  }
}

/** Fields worth keeping, each bounded; unknown fields are not copied. */
function dataOf(p: ClaudeCodeHookPayload): Record<string, unknown> {
  const keep: Record<string, unknown> = {
    hook_event_name: p.hook_event_name,
    cwd: p.cwd,
    transcript_path: p.transcript_path,
    permission_mode: p.permission_mode,
    tool_name: p.tool_name,
    tool_use_id: p.tool_use_id,
    tool_input: p.tool_input,
    tool_response: p.tool_response,
    error: p.error,
    prompt: typeof p.prompt === 'string' ? truncate(p.prompt, PROMPT_DATA_MAX) : undefined,
    message: p.message,
    // Event-specific fields Claude Code documents; kept when present, whatever their type.
    is_interrupt: p.is_interrupt,
    title: p.title,
    notification_type: p.notification_type,
    source: p.source,
    reason: p.reason,
    stop_hook_active: p.stop_hook_active,
    model: p.model,
    agent_id: p.agent_id,
    agent_type: p.agent_type,
    observed_at: p.runlog_observed_at,
  };
  const data: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(keep)) if (value !== undefined) data[key] = boundJson(value);
  return data;
}

/**
 * The activity id: tool events by session and tool_use_id (`…:pre` / `…:post`), so the two
 * halves find each other and a resend is recognised; other events by a hash of the payload
 * and the time the hook fired. Every Stop of a session has the same payload, so without the
 * time the second Stop would pass for a resend of the first. `runlog hook` stamps the time
 * once and resends the same line, so its resends keep their id.
 */
function idOf(p: ClaudeCodeHookPayload, observedAt: Date): string {
  const session = idPart(p.session_id);
  if (HOOK_EVENT_TYPES[p.hook_event_name] === 'tool' && p.tool_use_id) {
    return `cc:${session}:${idPart(p.tool_use_id)}:${p.hook_event_name === 'PreToolUse' ? 'pre' : 'post'}`;
  }
  return `cc:${session}:${hashOf({ payload: p, observed_at: observedAt.toISOString() })}`;
}

/** The activity a hook payload becomes. Pure: `observedAt` is when the hook fired (or was received). */
export function mapHookPayload(p: ClaudeCodeHookPayload, observedAt: Date): MappedHook {
  const type = HOOK_EVENT_TYPES[p.hook_event_name];
  if (type === 'tool' && !p.tool_name) throw new ValidationError('tool_name', `is required for ${p.hook_event_name}`);
  const input = isObject(p.tool_input) ? p.tool_input : {};
  const description = type === 'tool' ? text(input.description, DESCRIPTION_MAX) : null;
  const target = targetOf(p);
  const id = idOf(p, observedAt);
  const pair = type === 'tool' && p.tool_use_id
    ? { preId: id.replace(/:post$/, ':pre'), postId: id.replace(/:pre$/, ':post') }
    : null;
  return {
    activity: {
      id,
      type,
      action_name: storable(type === 'tool' ? p.tool_name! : p.hook_event_name),
      action_description: description !== target ? description : null,
      target_name: target,
      status: statusOf(p),
      // Tool calls are the assistant's own actions; prompts, session events and notifications are not.
      is_automated: type === 'tool',
      source: CLAUDE_CODE_SOURCE,
      session_id: storable(p.session_id),
      data: dataOf(p),
      occurred_at: observedAt,
    },
    pair,
  };
}
