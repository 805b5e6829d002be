/**
 * Activity payloads of 50 shapes for the render benchmark: ten kinds of payload (one per
 * strategy) × five key-name variants, so 50 distinct structures (fingerprints), each seen
 * many times with different values.
 */
const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 1_000).toISOString();

const KINDS: Array<(v: string, i: number) => Record<string, unknown>> = [
  (v, i) => ({ [`files${v}`]: [{ path: `src/a-${i}.ts`, lines: i % 300, status: 'modified' }, { path: `src/b-${i}.ts`, lines: 7, status: 'added' }] }),
  (v, i) => ({ [`events${v}`]: [{ timestamp: at(i), message: 'started' }, { timestamp: at(i + 1), message: 'finished' }] }),
  (v, i) => ({ [`latency${v}`]: [i % 50, (i * 7) % 90, 12, 40] }),
  (v, i) => ({ [`input_tokens${v}`]: i, [`output_tokens${v}`]: i * 2, cost_usd: i / 1000 }),
  (v, i) => ({ [`command${v}`]: `npm test -- ${i}`, exit_code: i % 2, cwd: '/repo' }),
  (v, i) => ({ [`before${v}`]: `const a = ${i};`, [`after${v}`]: `const a = ${i + 1};`, before: 'x', after: 'y' }),
  (v, i) => ({ [`code${v}`]: `def f(x):\n    return x + ${i}\n`, language: 'python' }),
  (v, i) => ({ [`summary${v}`]: `# Run ${i}\n\n- fixed a bug\n- added a test\n` }),
  (v, i) => ({ [`tags${v}`]: ['alpha', `t${i % 9}`, 'beta'] }),
  (v, i) => ({ [`tree${v}`]: { a: { b: [i, { c: 'd' }] } }, list: [1, 'x', { y: i }] }),
];

export const SHAPES = 50;

export function payload(i: number): Record<string, unknown> {
  const shape = i % SHAPES;
  return KINDS[shape % KINDS.length]!(`_v${Math.floor(shape / KINDS.length)}`, i);
}
