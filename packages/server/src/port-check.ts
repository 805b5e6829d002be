import { createServer } from 'node:net';

export class PortUnavailableError extends Error {}

/**
 * Fails when the address cannot be listened on (taken, not allowed, not a local address),
 * before anything is opened or created: a first start must not create credentials it then
 * cannot show. The port is released at once; the server takes it moments later.
 */
export async function checkPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', (err: NodeJS.ErrnoException) => {
      const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
      const why = err.code === 'EADDRINUSE'
        ? `${where} is already in use (EADDRINUSE): another program listens there; stop it, or choose another port with --port / PORT`
        : `cannot listen on ${where} (${err.code ?? err.message}); choose another --host / --port`;
      reject(new PortUnavailableError(why));
    });
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
