import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { CreateActivityBody } from '../../domain/activities/activities.schemas.ts';
import { AppendStepsBody, CancelBody, CompleteBody, CreateRunBody, FailBody, HeartbeatBody, StartBody } from '../../domain/runs/runs.schemas.ts';
import { ClientId } from '../../http/schemas.ts';

export const MAX_BATCH_ITEMS = 1000;

/** Each item type and the body it takes: the body of the matching REST route. */
export const ITEM_BODIES = {
  'run.create': CreateRunBody,
  'run.start': StartBody,
  'run.heartbeat': HeartbeatBody,
  'run.complete': CompleteBody,
  'run.fail': FailBody,
  'run.cancel': CancelBody,
  'steps.append': AppendStepsBody,
  'activity.create': CreateActivityBody,
} as const satisfies Record<string, TSchema>;
export type ItemType = keyof typeof ITEM_BODIES;
export const ITEM_TYPES = Object.freeze(Object.keys(ITEM_BODIES) as ItemType[]);

/** One item's envelope; checked per item so a bad item never rejects the batch. */
export const BatchItem = Type.Object(
  {
    type: Type.Unsafe<ItemType>({ type: 'string', enum: [...ITEM_TYPES] }),
    id: ClientId('run id (run.*, steps.append) or client activity id (activity.create)'),
    body: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);
export type BatchItem = Static<typeof BatchItem>;

export const IngestBody = Type.Object(
  { items: Type.Array(Type.Unknown(), { minItems: 1, maxItems: MAX_BATCH_ITEMS }) },
  { additionalProperties: false },
);

export const ItemResult = Type.Object({
  index: Type.Integer(),
  status: Type.Integer({ description: 'the status the matching REST route would answer' }),
  id: Type.Optional(Type.String()),
  error: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
});
export type ItemResult = Static<typeof ItemResult>;

export const IngestResult = Type.Object({ results: Type.Array(ItemResult) });
