// A CasPay webhook receiver on plain node:http.
//   CASPAY_WEBHOOK_SECRET=whsec_... PORT=3000 node examples/node-http/server.mjs
import { createServer } from 'node:http';
import { Webhook, createDeduper } from 'caspay-webhooks';
import { MAX_PAYLOAD_BYTES, acceptDelivery, fulfil, logDelivery, processAfterResponse, secretsFromEnv } from '../shared/deliveries.mjs';

const port = Number(process.env.PORT ?? 3000);
const webhook = new Webhook(secretsFromEnv(), { maxPayloadBytes: MAX_PAYLOAD_BYTES });
const deduper = createDeduper();

/**
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {object} json
 */
function reply(res, status, json) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
}

/**
 * The raw body, or null once it exceeds the limit (so a huge body is never buffered).
 * @param {import('node:http').IncomingMessage} req
 * @returns {Promise<Buffer | null>}
 */
async function readBody(req) {
  if (Number(req.headers['content-length'] ?? 0) > MAX_PAYLOAD_BYTES) return null;
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_PAYLOAD_BYTES) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

const server = createServer(async (req, res) => {
  if (req.url !== '/webhook') return reply(res, 404, { error: 'not_found' });
  if (req.method !== 'POST') return reply(res, 405, { error: 'method_not_allowed' });
  const body = await readBody(req);
  if (body === null) {
    logDelivery({ status: 413 });
    reply(res, 413, { error: 'payload_too_large' });
    return req.destroy();
  }
  const outcome = await acceptDelivery(webhook, deduper, body, req.headers);
  logDelivery(outcome);
  reply(res, outcome.status, outcome.json);
  if (outcome.isNew && outcome.event) await processAfterResponse(outcome.event, deduper, fulfil);
});

server.listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}`));
