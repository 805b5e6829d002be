import net from 'node:net';

/**
 * A TCP proxy in front of PostgreSQL that can stop forwarding: what a frozen server (SIGSTOP,
 * or a network that silently drops packets) looks like to a client, without touching the
 * shared server. Connections stay open; bytes wait in the proxy until `thaw`.
 */
export async function startFreezableProxy(target: { host: string; port: number }) {
  let frozen = false;
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket; toServer: Buffer[]; toClient: Buffer[] }>();

  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    const pair = { client, upstream, toServer: [] as Buffer[], toClient: [] as Buffer[] };
    pairs.add(pair);
    client.on('data', (chunk) => (frozen ? pair.toServer.push(chunk) : upstream.write(chunk)));
    upstream.on('data', (chunk) => (frozen ? pair.toClient.push(chunk) : client.write(chunk)));
    const close = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', close);
    upstream.on('close', close);
    client.on('error', close);
    upstream.on('error', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    freeze() {
      frozen = true;
    },
    thaw() {
      frozen = false;
      for (const pair of pairs) {
        for (const chunk of pair.toServer.splice(0)) pair.upstream.write(chunk);
        for (const chunk of pair.toClient.splice(0)) pair.client.write(chunk);
      }
    },
    async close() {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
