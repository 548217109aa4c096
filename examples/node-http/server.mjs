// A CasPay webhook receiver on plain node:http, with a durable inbox: SQLite by default
// (CASPAY_INBOX, a file path), PostgreSQL when DATABASE_URL is set.
//   CASPAY_WEBHOOK_SECRET=whsec_... PORT=3000 node examples/node-http/server.mjs
import { createServer } from 'node:http';
import { buildReceiver, fulfil, openStore, secretsFromEnv, stopOnSignals } from '../shared/receiver.mjs';

const port = Number(process.env.PORT ?? 3000);
const store = await openStore();
const receiver = buildReceiver({ store, secrets: secretsFromEnv(), handler: fulfil });

const server = createServer((req, res) => {
  // The path alone: an endpoint URL configured with a query string still reaches it.
  if (new URL(req.url ?? '/', 'http://localhost').pathname !== '/webhook') {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
    return;
  }
  // Reads the raw body (with the limit), verifies, records, answers; never throws.
  receiver.node(req, res);
});

server.listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}`));
stopOnSignals(server, receiver, store);
