// A CasPay webhook receiver on Express 5, with a durable inbox: SQLite by default
// (CASPAY_INBOX), PostgreSQL when DATABASE_URL is set (run as many processes as you like).
// The webhook route reads the raw body itself, so it is mounted before express.json().
//   CASPAY_WEBHOOK_SECRET=whsec_... PORT=3000 node examples/express/server.mjs
import express from 'express';
import { buildReceiver, fulfil, openStore, secretsFromEnv, stopOnSignals } from '../shared/receiver.mjs';

const port = Number(process.env.PORT ?? 3000);
const store = await openStore();
const receiver = buildReceiver({ store, secrets: secretsFromEnv(), handler: fulfil });
const app = express();

app.post('/webhook', receiver.node);
app.all('/webhook', (_req, res) => res.status(405).set('allow', 'POST').json({ error: 'method_not_allowed' }));
app.use(express.json()); // the rest of the app

// Express 5 hands a listen error (the port in use) to this callback: throw it, or the
// process would stay up serving nothing.
const server = app.listen(port, '127.0.0.1', (error) => {
  if (error) throw error;
  console.log(`listening on http://127.0.0.1:${port}`);
});
stopOnSignals(server, receiver, store);
