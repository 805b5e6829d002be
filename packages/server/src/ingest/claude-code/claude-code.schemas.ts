import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Timestamp } from '../../http/schemas.ts';

/**
 * The Claude Code hook events Runlog records, and the activity type each becomes (SPEC §4).
 * One frozen table for the schema, the mapping and the docs.
 */
export const HOOK_EVENT_TYPES = Object.freeze({
  SessionStart: 'session',
  UserPromptSubmit: 'prompt',
  PreToolUse: 'tool',
  PostToolUse: 'tool',
  PostToolUseFailure: 'tool',
  Notification: 'notification',
  Stop: 'session',
  SubagentStop: 'session',
  SessionEnd: 'session',
} as const);
export type HookEventName = keyof typeof HOOK_EVENT_TYPES;
export const HOOK_EVENT_NAMES = Object.freeze(Object.keys(HOOK_EVENT_TYPES)) as readonly HookEventName[];

export { CLAUDE_CODE_SOURCE } from '../../domain/assistant-sessions/assistant-sessions.types.ts';

const Id = (description: string) => Type.String({ minLength: 1, maxLength: 200, description });
const Text = (description: string, maxLength: number) => Type.String({ maxLength, description });
/** Free text a person wrote or a tool printed: never refused for its length, only cut when stored. */
const LongText = (description: string) => Type.String({ maxLength: 10_000_000, description });
const Any = (description: string) => Type.Unknown({ description });

/**
 * A hook payload as Claude Code sends it (stdin of a command hook, body of an HTTP hook).
 * Fields Runlog reads are typed; every other field is accepted and ignored, so a newer
 * Claude Code that adds fields keeps working.
 */
export const ClaudeCodeHookPayload = Type.Object(
  {
    hook_event_name: Type.Unsafe<HookEventName>({ type: 'string', enum: [...HOOK_EVENT_NAMES], description: 'the hook event' }),
    session_id: Id('Claude Code session; groups the activities of one session'),
    transcript_path: Type.Optional(Text('path of the session transcript', 4096)),
    cwd: Type.Optional(Text('working directory of the session', 4096)),
    permission_mode: Type.Optional(Text('default, plan, acceptEdits, bypassPermissions, …', 64)),
    tool_name: Type.Optional(Id('tool events: Bash, Edit, Read, mcp__server__tool, …')),
    tool_use_id: Type.Optional(Id('tool events: pairs PreToolUse with PostToolUse for the duration')),
    tool_input: Type.Optional(Any('tool events: the tool arguments (any JSON)')),
    tool_response: Type.Optional(Any('PostToolUse: what the tool returned (any JSON)')),
    error: Type.Optional(Any('PostToolUseFailure: what went wrong')),
    prompt: Type.Optional(LongText('UserPromptSubmit: the prompt')),
    message: Type.Optional(LongText('Notification: the message shown')),
    runlog_observed_at: Type.Optional(Timestamp('when the hook fired; `runlog hook` adds it (hooks carry no time); default: when received')),
  },
  { additionalProperties: true },
);
export type ClaudeCodeHookPayload = Static<typeof ClaudeCodeHookPayload> & Record<string, unknown>;

export const HookResult = Type.Object({
  id: Type.String({ description: 'the activity id (deterministic: a resend finds the same one)' }),
  seq: Type.Integer(),
  duration_ms: Nullable(Type.Integer({ description: 'PostToolUse: time since the PreToolUse of the same tool_use_id' })),
});
export type HookResult = Static<typeof HookResult>;
