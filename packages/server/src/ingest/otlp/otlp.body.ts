import { promisify } from 'node:util';
import { gunzip as gunzipCb, inflate as inflateCb } from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.ts';
import type { Encoding } from './otlp.proto.ts';

const gunzip = promisify(gunzipCb);
const inflate = promisify(inflateCb);

export class UnsupportedMediaTypeError extends AppError {
  constructor(type: string) {
    super(415, 'unsupported_media_type', `Content-Type ${type || '(none)'} is not OTLP; send application/x-protobuf or application/json`);
  }
}

/** The request's OTLP encoding, from its Content-Type. */
export function encodingOf(request: FastifyRequest): Encoding | null {
  const type = String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return null;
}

/**
 * OTLP bodies arrive whole as bytes (chunked or not; Fastify reads both), whatever the
 * Content-Type, so the handler can answer an unknown type in OTLP's own way. Bodies only:
 * this plugin's routes parse nothing else.
 */
export function registerRawBody(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));
}

/** The body with its Content-Encoding undone; the inflated size is held to `limit` too (a small gzip can hide a huge body). */
export async function decodedBody(request: FastifyRequest, limit: number): Promise<Buffer> {
  const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  const encoding = String(request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  try {
    if (encoding === 'gzip' || encoding === 'x-gzip') return await gunzip(body, { maxOutputLength: limit });
    if (encoding === 'deflate') return await inflate(body, { maxOutputLength: limit });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new AppError(413, 'payload_too_large', `the decompressed body exceeds the limit of ${limit} bytes`);
    }
    throw new AppError(400, 'undecodable', `the body is not valid ${encoding}: ${(err as Error).message}`);
  }
  if (encoding !== 'identity' && encoding !== '') {
    throw new AppError(415, 'unsupported_media_type', `Content-Encoding ${encoding} is not supported; send gzip or none`);
  }
  return body;
}
