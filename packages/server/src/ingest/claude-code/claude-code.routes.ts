import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { authOf } from '../../http/auth-hook.ts';
import { errorResponses } from '../../http/schemas.ts';
import { ClaudeCodeHookPayload, HookResult } from './claude-code.schemas.ts';
import type { ClaudeCodeService } from './claude-code.service.ts';

/**
 * Claude Code reads a 2xx body as hook output: a JSON object is validated against its hook
 * output schema (anything else is reported as a hook error on every event) and, for
 * SessionStart and UserPromptSubmit, plain text is added to the model's context. So the
 * answer is empty unless the caller asks for the result with `Prefer: return=representation`.
 */
function wantsRepresentation(prefer: string | string[] | undefined): boolean {
  return [prefer ?? []].flat().some((value) => /(^|[\s,;])return=representation\b/i.test(value));
}

/** POST /hooks/claude-code (SPEC §4, ingestion adapters). */
export const claudeCodeRoutes: FastifyPluginAsyncTypebox<{ claudeCode: ClaudeCodeService }> = async (app, { claudeCode }) => {
  app.post('/hooks/claude-code', {
    config: { scope: 'ingest' },
    schema: {
      tags: ['ingest'],
      summary: 'A Claude Code hook payload (HTTP hook, or `runlog hook` as a command hook) becomes an activity',
      description:
        'Events: SessionStart, UserPromptSubmit, PreToolUse, PostToolUse, PostToolUseFailure, Notification, Stop, SubagentStop, SessionEnd. ' +
        'Unknown fields are ignored. 201 when stored, 200 for a resend (same tool_use_id, or same payload and runlog_observed_at). ' +
        'The body is empty (what a Claude Code HTTP hook expects) unless the request sends `Prefer: return=representation`.',
      body: ClaudeCodeHookPayload,
      response: { 200: HookResult, 201: HookResult, ...errorResponses },
    },
  }, async (request, reply) => {
    const { result, created } = await claudeCode.ingest(authOf(request), request.body as ClaudeCodeHookPayload);
    reply.status(created ? 201 : 200);
    if (!wantsRepresentation(request.headers.prefer)) return reply.send(undefined as never);
    return reply.header('preference-applied', 'return=representation').send(result);
  });
};
