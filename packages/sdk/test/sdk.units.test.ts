import { describe, expect, it } from 'vitest';
import { BoundedQueue, encodeEntry } from '../src/queue.ts';
import { parseRetryAfter, retryDelay } from '../src/retry.ts';

describe('retry timing', () => {
  it('doubles from the base up to the cap, with at most half of it random', () => {
    const low = (a: number) => retryDelay(a, 500, 30_000, undefined, () => 0);
    const high = (a: number) => retryDelay(a, 500, 30_000, undefined, () => 1);
    expect([1, 2, 3, 4].map(low)).toEqual([250, 500, 1000, 2000]);
    expect([1, 2, 3, 4].map(high)).toEqual([500, 1000, 2000, 4000]);
    expect(high(20)).toBe(30_000);
    expect(low(20)).toBe(15_000);
  });

  it('honours Retry-After in seconds or as an HTTP date, up to ten minutes', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(retryDelay(1, 500, 30_000, 3000)).toBe(3000);
    expect(retryDelay(1, 500, 30_000, 3_600_000)).toBe(600_000);
  });
});

describe('the queue', () => {
  const entry = (seq: number, type: 'run.create' | 'run.complete' | 'activity.create', id: string) =>
    ({ seq, type, id, body: '{}', records: 1, bytes: 10 });

  it('keeps arrival order and joins a run\'s consecutive steps into one item', () => {
    const q = new BoundedQueue();
    q.push(entry(1, 'run.create', 'r1'));
    expect(q.mergeStep('r1', '{"step_index":0}', 16, 1000)).toBe(false); // the newest item is not a steps.append
    q.push({ seq: 2, type: 'steps.append', id: 'r1', steps: ['{"step_index":0}'], records: 1, bytes: 80 });
    expect(q.mergeStep('r1', '{"step_index":1}', 16, 1000)).toBe(true);
    expect(q.mergeStep('r2', '{"step_index":0}', 16, 1000)).toBe(false); // another run
    q.push(entry(3, 'run.complete', 'r1'));
    expect(q.records).toBe(4);
    const batch = q.takeBatch(10, 10_000);
    expect(batch.map(encodeEntry)).toEqual([
      '{"type":"run.create","id":"r1","body":{}}',
      '{"type":"steps.append","id":"r1","body":{"steps":[{"step_index":0},{"step_index":1}]}}',
      '{"type":"run.complete","id":"r1","body":{}}',
    ]);
    expect(q.records).toBe(0);
  });

  it('takes batches within the item and byte limits, always at least one item, and puts a split half back in front', () => {
    const q = new BoundedQueue();
    for (let i = 1; i <= 5; i++) q.push(entry(i, 'activity.create', `a${i}`));
    expect(q.takeBatch(2, 10_000).map((e) => e.id)).toEqual(['a1', 'a2']);
    expect(q.takeBatch(10, 25).map((e) => e.id)).toEqual(['a3', 'a4']);
    const big = q.takeBatch(10, 1);
    expect(big.map((e) => e.id)).toEqual(['a5']);
    q.unshift(big);
    q.push(entry(6, 'activity.create', 'a6'));
    expect(q.takeBatch(10, 10_000).map((e) => e.id)).toEqual(['a5', 'a6']);
  });
});
