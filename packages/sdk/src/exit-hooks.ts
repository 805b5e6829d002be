/**
 * One beforeExit and one SIGTERM listener for all clients of the process, installed while at
 * least one client wants a flush at exit (many clients never pile up listeners).
 */
export interface ExitDrainable {
  /** Sends what is queued, bounded by the client's shutdown timeout; resolves when done. */
  drainForExit(final: boolean): Promise<unknown>;
}

const clients = new Set<ExitDrainable>();

function onBeforeExit(): void {
  // The loop is empty: the drain's own request and timer keep the process up until it ends,
  // then beforeExit comes again and a client with nothing new to send does nothing.
  for (const client of clients) void client.drainForExit(false);
}

function onSigterm(): void {
  const drains = [...clients].map((c) => c.drainForExit(true));
  // Another listener means the application handles SIGTERM itself: only help it by sending.
  if (process.listenerCount('SIGTERM') > 1) return;
  // Alone, this listener took away the default exit: give it back once the drain is over.
  void Promise.allSettled(drains).then(() => {
    process.removeListener('SIGTERM', onSigterm);
    process.kill(process.pid, 'SIGTERM');
  });
}

export function registerForExit(client: ExitDrainable): void {
  if (clients.size === 0) {
    process.on('beforeExit', onBeforeExit);
    process.on('SIGTERM', onSigterm);
  }
  clients.add(client);
}

export function unregisterForExit(client: ExitDrainable): void {
  if (!clients.delete(client) || clients.size > 0) return;
  process.removeListener('beforeExit', onBeforeExit);
  process.removeListener('SIGTERM', onSigterm);
}
