/** What one client may hold of the HTTP server: slow headers, slow bodies, idle keep-alive, connections. */
export interface HttpLimits {
  /** Time to receive a request's headers (slow-header clients are cut with 408). */
  headersTimeoutMs: number;
  /** Time to receive a whole request, body included. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection is kept after a response. */
  keepAliveTimeoutMs: number;
  /** Connections beyond this are closed as they arrive (WebSocket clients count). */
  maxConnections: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = Object.freeze({
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 10_000,
  maxConnections: 10_000,
});

/** The settings as Fastify and Node's http server take them. */
export function httpLimits(chosen: Partial<HttpLimits>) {
  const limits = { ...DEFAULT_HTTP_LIMITS, ...chosen };
  // Node refuses a headers deadline beyond the request deadline.
  const headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  return {
    maxConnections: limits.maxConnections,
    fastify: {
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Node checks both deadlines on this interval (30 s by default, which would let a slow client stay 30 s longer).
      http: { headersTimeout, requestTimeout: limits.requestTimeoutMs, connectionsCheckingInterval: Math.min(1_000, Math.max(50, Math.floor(headersTimeout / 4))) },
    },
  };
}
