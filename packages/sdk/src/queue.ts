import { MAX_STEPS_PER_ITEM, type ItemType } from './wire.js';

/**
 * One /ingest item waiting to be sent. Bodies are JSON already; steps.append keeps its steps
 * apart so later steps of the same run can join it while it waits.
 */
export interface Entry {
  /** Order of arrival: flush() waits for every entry up to the newest seq it saw. */
  seq: number;
  type: ItemType;
  id: string;
  body?: string;
  steps?: string[];
  /** Records it stands for: one, or its number of steps. */
  records: number;
  bytes: number;
  /** Set once given up, so a late answer for it is not counted as sent. */
  dropped?: boolean;
}

export function encodeEntry(e: Entry): string {
  const head = `{"type":${JSON.stringify(e.type)},"id":${JSON.stringify(e.id)}`;
  if (e.steps) return `${head},"body":{"steps":[${e.steps.join(',')}]}}`;
  return e.body === undefined ? `${head}}` : `${head},"body":${e.body}}`;
}

/**
 * Items in arrival order, bounded by records. Batches are taken from the front and never
 * reordered, so a run's create always goes out before (or with) its steps and its end.
 */
export class BoundedQueue {
  private items: Entry[] = [];
  private head = 0;
  records = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  first(): Entry | undefined {
    return this.items[this.head];
  }

  push(entry: Entry): void {
    this.items.push(entry);
    this.records += entry.records;
  }

  /** Adds a step to the newest entry when that is the same run's steps.append; false otherwise. */
  mergeStep(runId: string, step: string, stepBytes: number, maxBytes: number): boolean {
    const last = this.items[this.items.length - 1];
    if (this.length === 0 || !last || last.type !== 'steps.append' || last.id !== runId || !last.steps) return false;
    if (last.steps.length >= MAX_STEPS_PER_ITEM || last.bytes + stepBytes + 1 > maxBytes) return false;
    last.steps.push(step);
    last.records += 1;
    last.bytes += stepBytes + 1;
    this.records += 1;
    return true;
  }

  shift(): Entry | undefined {
    const entry = this.items[this.head];
    if (!entry) return undefined;
    this.items[this.head] = undefined as never;
    this.head += 1;
    this.records -= entry.records;
    // Compact now and then instead of shifting an array on every take.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return entry;
  }

  /** Puts entries back at the front (a batch split in two), keeping their order. */
  unshift(entries: Entry[]): void {
    this.items = [...entries, ...this.items.slice(this.head)];
    this.head = 0;
    for (const e of entries) this.records += e.records;
  }

  /** The oldest entries that fit in one request: at most maxItems and maxBytes (at least one). */
  takeBatch(maxItems: number, maxBytes: number): Entry[] {
    const batch: Entry[] = [];
    let bytes = 0;
    while (batch.length < maxItems) {
      const next = this.first();
      if (!next || (batch.length > 0 && bytes + next.bytes > maxBytes)) break;
      batch.push(this.shift()!);
      bytes += next.bytes + 1;
    }
    return batch;
  }
}
