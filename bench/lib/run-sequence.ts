// A run's REST life under autocannon, in a process of its own: every connection creates a
// pending run, starts it and completes it, then begins the next. Prints one JSON line:
// { runs, requests, seconds, p50, p99, errors, firstError }.
//
// usage: node --import tsx run-sequence.ts <baseUrl> <key> <idPrefix> <seconds> <connections>
import autocannon from 'autocannon';
import { COMPLETE_BODY, createRunBody } from './fixtures.ts';

const [baseUrl, key, idPrefix, seconds, connections] = process.argv.slice(2) as [string, string, string, string, string];
const COMPLETE = JSON.stringify(COMPLETE_BODY);

let next = 0;
let runs = 0;
let firstError: string | null = null;
const expect = (want: number) => (status: number, body: string) => {
  if (status === want) return;
  firstError ??= `${status} ${String(body).slice(0, 300)}`;
};

const result = await autocannon({
  url: baseUrl,
  connections: Number(connections),
  duration: Number(seconds),
  headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
  requests: [
    {
      method: 'POST',
      setupRequest: (req: object, context: Record<string, unknown>) => {
        context.id = `${idPrefix}-${next++}`;
        return { ...req, path: '/api/v1/runs', body: JSON.stringify({ ...createRunBody(context.id as string), status: 'pending' }) };
      },
      onResponse: expect(201),
    },
    {
      method: 'POST',
      setupRequest: (req: object, context: Record<string, unknown>) => ({ ...req, path: `/api/v1/runs/${context.id}/start`, body: '{}' }),
      onResponse: expect(200),
    },
    {
      method: 'POST',
      setupRequest: (req: object, context: Record<string, unknown>) => ({ ...req, path: `/api/v1/runs/${context.id}/complete`, body: COMPLETE }),
      onResponse: (status: number, body: string) => {
        if (status === 200) runs++;
        else expect(200)(status, body);
      },
    },
  ],
});

console.log(JSON.stringify({
  runs,
  requests: result.requests.total,
  seconds: result.duration,
  p50: result.latency.p50,
  p99: result.latency.p99,
  errors: result.errors + result.non2xx,
  firstError,
}));
