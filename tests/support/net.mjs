// Ports for servers the tests start: always 127.0.0.1.
import { createServer } from 'node:net';
import { once } from 'node:events';

/** A port nothing listens on right now. */
export async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  await new Promise((resolve) => server.close(resolve));
  return port;
}
