// A CasPay webhook receiver on Express 5. The raw body parser is mounted on the webhook
// route only, so the rest of the app keeps express.json().
//   CASPAY_WEBHOOK_SECRET=whsec_... PORT=3000 node examples/express/server.mjs
import express from 'express';
import { Webhook, createDeduper } from 'caspay-webhooks';
import { MAX_PAYLOAD_BYTES, acceptDelivery, fulfil, logDelivery, processAfterResponse, secretsFromEnv } from '../shared/deliveries.mjs';

const port = Number(process.env.PORT ?? 3000);
const webhook = new Webhook(secretsFromEnv(), { maxPayloadBytes: MAX_PAYLOAD_BYTES });
const deduper = createDeduper();
const app = express();

// Every content type: a missing header must still give the raw bytes (and a clear 401/400),
// never an empty parsed object.
app.post('/webhook', express.raw({ type: () => true, limit: MAX_PAYLOAD_BYTES }), async (req, res) => {
  const outcome = await acceptDelivery(webhook, deduper, req.body, req.headers);
  logDelivery(outcome);
  res.status(outcome.status).json(outcome.json);
  if (outcome.isNew && outcome.event) await processAfterResponse(outcome.event, deduper, fulfil);
});

app.use(express.json());
app.all('/webhook', (_req, res) => res.status(405).json({ error: 'method_not_allowed' }));

// Express reports bodies over the limit (and unreadable ones) here, before the route runs.
app.use(
  (/** @type {{ type?: string }} */ error, /** @type {express.Request} */ _req, /** @type {express.Response} */ res, /** @type {express.NextFunction} */ _next) => {
    const status = error.type === 'entity.too.large' ? 413 : 400;
    logDelivery({ status });
    res.status(status).json({ error: status === 413 ? 'payload_too_large' : 'bad_request' });
  },
);

app.listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}`));
