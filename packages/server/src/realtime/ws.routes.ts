import { randomUUID } from 'node:crypto';
import websocket from '@fastify/websocket';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Database } from '../db/database.ts';
import type { AuthService } from '../domain/auth/auth.service.ts';
import { hasScope, type AuthContext, type RevokedCredentials } from '../domain/auth/auth.types.ts';
import { ForbiddenError, UnauthorizedError, ValidationError } from '../errors.ts';
import { authOf } from '../http/auth-hook.ts';
import { errorResponses, Instant } from '../http/schemas.ts';
import type { Logger } from '../logger.ts';
import type { EventBus } from './event-bus.ts';
import { createNotifyBridge, type NotifyBridge } from './notify-bridge.ts';
import { createTicketService } from './tickets.ts';
import { createWsHub, DEFAULT_HUB_OPTIONS, type HubOptions } from './ws-hub.ts';

export interface RealtimeOptions extends Partial<HubOptions> {
  /** Server mode: the LISTEN connection is opened from these (the pool's connections are not usable for it). */
  databaseUrl?: string | null;
  databaseSchema?: string;
  ticketTtlMs?: number;
  /**
   * Hook point for the dashboard's session cookie (there is no login yet): return the
   * caller, or null. When it is added, it must also check the Origin header, because a
   * browser sends cookies with a cross-site WebSocket upgrade.
   */
  authenticateSession?: (request: FastifyRequest) => Promise<AuthContext | null>;
  /** Identifies this process in NOTIFY payloads, so it ignores its own. */
  nodeId?: string;
}

export interface RealtimePluginOptions extends RealtimeOptions {
  bus: EventBus;
  db: Database;
  auth: AuthService;
  logger: Logger;
  apiPrefix: string;
}

/** The hard frame limit of the socket; messages under it but over maxMessageBytes get an error answer. */
const MAX_PAYLOAD_BYTES = 1024 * 1024;
/** Sockets that ignore the close handshake at shutdown are cut after this. */
const CLOSE_GRACE_MS = 1_000;

const Ticket = Type.Object({
  ticket: Type.String({ description: 'pass as GET /ws?ticket=…; works once' }),
  expires_at: Instant(),
});

function hubOptions(options: RealtimePluginOptions, clustered: boolean): HubOptions {
  const chosen = Object.fromEntries(Object.entries(options).filter(([key, value]) => key in DEFAULT_HUB_OPTIONS && value !== undefined));
  return { ...DEFAULT_HUB_OPTIONS, sweepIntervalMs: clustered ? 2_000 : 0, ...chosen };
}

/**
 * Realtime (SPEC §5): GET /ws and POST /api/v1/ws-ticket, the hub fed by this node's event
 * bus, and in server mode the LISTEN/NOTIFY bridge that brings the other nodes' events.
 */
export const realtimeRoutes: FastifyPluginAsync<RealtimePluginOptions> = async (app, options) => {
  const { bus, db, auth, logger } = options;
  const clustered = db.kind === 'postgres' && Boolean(options.databaseUrl);
  if (db.kind === 'postgres' && !clustered) {
    logger.warn('realtime: no database URL given, so clients hear only this node\'s writes');
  }
  const hub = createWsHub({ db, logger, options: hubOptions(options, clustered) });
  const tickets = createTicketService({ db, ttlMs: options.ticketTtlMs ?? 60_000 });
  const unsubscribe = bus.subscribe((event) => hub.receive(event));
  let bridge: NotifyBridge | null = null;
  if (clustered) {
    bridge = createNotifyBridge({
      bus,
      db,
      logger,
      databaseUrl: options.databaseUrl!,
      schema: options.databaseSchema ?? 'public',
      nodeId: options.nodeId ?? randomUUID(),
      receive: (event) => {
        // Another node revoked credentials: this node's key cache forgets them too.
        if (event.type === 'credentials_revoked') auth.forget(event.tenantId, event.data as RevokedCredentials);
        hub.receive(event);
      },
      catchUp: () => hub.catchUpAll(),
    });
    await bridge.start();
  }

  // Before @fastify/websocket's own preClose, so clients get 1001 "going away" from the hub.
  app.addHook('preClose', async () => {
    unsubscribe();
    await hub.close(CLOSE_GRACE_MS);
  });
  app.addHook('onClose', async () => {
    await bridge?.stop();
  });

  await app.register(websocket, { options: { maxPayload: MAX_PAYLOAD_BYTES } });

  /** Bearer header (machine clients), else a one-time ticket (browsers), else the session hook. */
  async function authenticateUpgrade(request: FastifyRequest) {
    const { ticket } = request.query as { ticket?: unknown };
    let context: AuthContext | null;
    if (request.headers.authorization !== undefined) {
      context = await auth.authenticate(request.headers.authorization);
    } else if (ticket !== undefined) {
      if (typeof ticket !== 'string') throw new ValidationError('ticket', 'must be given once');
      context = await tickets.redeem(ticket);
      if (!context) throw new UnauthorizedError('the ticket is unknown, already used or expired; get a new one from POST /api/v1/ws-ticket');
    } else {
      context = (await options.authenticateSession?.(request)) ?? null;
    }
    if (!context) throw new UnauthorizedError('authenticate with Authorization: Bearer <key>, or ?ticket= from POST /api/v1/ws-ticket');
    if (!hasScope(context, 'read')) {
      throw new ForbiddenError('the live feed needs the "read" scope', { required_scope: 'read', key_scopes: context.scopes });
    }
    request.auth = context;
  }

  app.route({
    method: 'GET',
    url: '/ws',
    schema: { hide: true },
    onRequest: authenticateUpgrade,
    handler: async (_request, reply) =>
      reply.status(426).header('upgrade', 'websocket').send({ error: 'upgrade_required', message: 'GET /ws is a WebSocket endpoint', details: { upgrade: 'websocket' } }),
    wsHandler: (socket, request) => hub.connect(socket, authOf(request)),
  });

  app.post(`${options.apiPrefix}/ws-ticket`, {
    config: { scope: 'read' },
    schema: {
      tags: ['realtime'],
      summary: 'A one-time ticket for GET /ws?ticket=… (browsers cannot send an Authorization header on a WebSocket)',
      response: { 201: Ticket, ...errorResponses },
    },
  }, async (request, reply) => reply.status(201).send(await tickets.issue(authOf(request))));
};
