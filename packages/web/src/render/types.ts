import type { SchemaRender } from '../lib/types.ts';

/** Every strategy component takes the activity's payload and its stored render. */
export interface RenderProps {
  data: unknown;
  render: SchemaRender;
}
