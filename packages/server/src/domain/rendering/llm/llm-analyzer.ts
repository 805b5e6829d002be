import { FIELD_FORMATS, STRATEGIES, type RenderDecision, type RenderField, type RenderInput } from '../rendering.types.ts';
import { structureOf } from '../fingerprint.ts';
import { valueAt } from '../analyzer/shape.ts';
import { callTool, LlmInvalidAnswerError, type LlmSettings, type ToolCallRequest } from './llm-client.ts';
import { sampleOf } from './sample.ts';

/**
 * The optional LLM analyzer (SPEC §6): one chat/completions call with a forced
 * `render_activity` tool whose parameters are the render's JSON Schema; the answer is checked
 * (strategy in the enum, every path present in the payload) before it is used.
 */

export const RENDER_TOOL: ToolCallRequest['tool'] = {
  name: 'render_activity',
  description: 'Choose how a dashboard draws this activity payload.',
  parameters: {
    type: 'object',
    additionalProperties: false,
    required: ['strategy', 'title', 'fields'],
    properties: {
      strategy: { type: 'string', enum: [...STRATEGIES] },
      title: { type: 'string', maxLength: 200 },
      fields: {
        type: 'array',
        maxItems: 30,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['path', 'label', 'format'],
          properties: {
            path: { type: 'string', description: 'JSON pointer into the payload ("" is the whole payload)' },
            label: { type: 'string', maxLength: 100 },
            format: { type: 'string', enum: [...FIELD_FORMATS] },
          },
        },
      },
    },
  },
};

const SYSTEM = [
  'You decide how a monitoring dashboard draws the JSON payload of an activity. Call render_activity.',
  'Strategies: table (array of objects sharing keys), timeline (array of objects with timestamps),',
  'chart (numeric series), metric (a few numbers), key_value (flat object), code, diff (before/after or a unified diff),',
  'markdown, list (array of scalars), json (anything else).',
  'Field paths are JSON pointers into the payload. For table, timeline and chart rows, point at the column in the',
  'first row (e.g. /files/0/name); for list, code, markdown and diff point at the value itself.',
].join(' ');

const MAX_SCHEMA = 3_000;

export function renderRequest(input: RenderInput): ToolCallRequest {
  const schema = input.dataSchema ? `\nIts JSON Schema: ${JSON.stringify(input.dataSchema).slice(0, MAX_SCHEMA)}` : '';
  const content = `Activity "${input.actionName.slice(0, 200)}" of type "${input.type.slice(0, 64)}".`
    + `\nStructure (keys and value types): ${structureOf(input.data).slice(0, 2_000)}`
    + `\nSample of the payload (arrays and strings shortened): ${sampleOf(input.data)}${schema}`;
  return { messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content }], tool: RENDER_TOOL };
}

const invalid = (why: string): never => {
  throw new LlmInvalidAnswerError(`the LLM's render was rejected: ${why}`);
};

/** The tool arguments as a decision, or LlmInvalidAnswerError saying what was wrong. */
export function validateDecision(args: unknown, data: unknown): RenderDecision {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) return invalid('its arguments are not an object');
  const { strategy, title, fields } = args as Record<string, unknown>;
  if (typeof strategy !== 'string' || !(STRATEGIES as readonly string[]).includes(strategy)) {
    return invalid(`strategy ${JSON.stringify(strategy)?.slice(0, 60)} is not one of ${STRATEGIES.join(', ')}`);
  }
  if (typeof title !== 'string' || !title.trim()) return invalid('title is missing');
  if (!Array.isArray(fields) || fields.length > 30) return invalid('fields must be an array of at most 30');
  if (fields.length === 0 && strategy !== 'json') return invalid('fields is empty');
  const checked: RenderField[] = fields.map((f, i) => {
    const { path, label, format } = (f ?? {}) as Record<string, unknown>;
    if (typeof path !== 'string' || valueAt(data, path) === undefined) return invalid(`fields[${i}].path ${JSON.stringify(path)?.slice(0, 100)} is not in the payload`);
    if (typeof label !== 'string') return invalid(`fields[${i}].label is missing`);
    if (typeof format !== 'string' || !(FIELD_FORMATS as readonly string[]).includes(format)) return invalid(`fields[${i}].format ${JSON.stringify(format)?.slice(0, 40)} is unknown`);
    return { path, label: label.slice(0, 100), format: format as RenderField['format'] };
  });
  return { strategy: strategy as RenderDecision['strategy'], title: title.trim().slice(0, 200), fields: checked };
}

export async function analyzeWithLlm(settings: LlmSettings, input: RenderInput, signal?: AbortSignal): Promise<RenderDecision> {
  const args = await callTool(settings, renderRequest(input), signal);
  return validateDecision(args, input.data);
}
