import http from 'node:http';

/**
 * One POST for `runlog hook`, on node:http rather than fetch: fetch loads undici and TLS at
 * first use, about a third of the hook's start-up. https loads only for an https URL.
 */

export interface Answer {
  status: number;
  body: string;
}

/** Network failures carry `code` (ECONNREFUSED, ENOTFOUND…) or `timedOut`. */
export type PostError = Error & { code?: string; timedOut?: boolean };

export async function postJson(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<Answer> {
  const target = new URL(url);
  const client = target.protocol === 'https:' ? (await import('node:https')).default : http;
  return new Promise<Answer>((resolve, reject) => {
    const req = client.request(target, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      // Never wait on a socket pool: one request, then the process ends.
      agent: false,
    });
    const timer = setTimeout(() => {
      req.destroy(Object.assign(new Error('no answer in time'), { timedOut: true }));
    }, timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (text.length < 64 * 1024) text += chunk;
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body: text });
      });
      res.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    req.end(body);
  });
}
