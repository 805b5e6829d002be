/** Rendering's frozen vocabulary (SPEC §6, issue 10): statuses, strategies, the render's shape. */

export const PROCESSING_STATUSES = Object.freeze(['NOT_PROCESSED', 'PENDING', 'PROCESSING', 'COMPLETED', 'FAILED', 'SKIPPED'] as const);
export type ProcessingStatus = (typeof PROCESSING_STATUSES)[number];

export const STRATEGIES = Object.freeze(['table', 'key_value', 'timeline', 'metric', 'chart', 'code', 'diff', 'markdown', 'list', 'json'] as const);
export type Strategy = (typeof STRATEGIES)[number];

/** How a field's value is drawn. */
export const FIELD_FORMATS = Object.freeze([
  'text', 'number', 'integer', 'boolean', 'datetime', 'duration_ms', 'bytes', 'percent', 'currency', 'url', 'code', 'markdown', 'diff', 'json',
] as const);
export type FieldFormat = (typeof FIELD_FORMATS)[number];

export const ANALYZERS = Object.freeze(['builtin', 'llm'] as const);
export type AnalyzerName = (typeof ANALYZERS)[number];

/** Bumped when the render's shape changes; a dashboard can tell old renders apart. */
export const RENDER_VERSION = 1;

export interface RenderField {
  /** JSON pointer into the activity's data ("" is the whole payload). */
  path: string;
  label: string;
  format: FieldFormat;
}

export interface SchemaRender {
  version: number;
  strategy: Strategy;
  title: string;
  fields: RenderField[];
  analyzer: AnalyzerName;
  /** The payload's structure fingerprint (keys and value types): the cache key. */
  fingerprint: string;
  /** Present when the LLM was asked but the built-in analyzer answered: why. */
  fallback_reason?: string;
}

/** What an analyzer decides; the service adds version, analyzer and fingerprint. */
export interface RenderDecision {
  strategy: Strategy;
  title: string;
  fields: RenderField[];
}

/** What an analyzer is given. */
export interface RenderInput {
  data: unknown;
  dataSchema: unknown;
  /** The activity's own words, for a title when the payload has none. */
  actionName: string;
  type: string;
}
