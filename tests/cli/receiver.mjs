// An independent receiver for the CLI tests: checks CasPay's headers and the signature with
// Node's own crypto over the raw body. Prints `port N`, then one JSON line per delivery:
// the status it answered, the raw headers as received and the body (base64), so tests can
// compare what `send` and `listen --forward-to` put on the wire byte for byte.
// `?status=NNN` on the URL forces the answer's status (a failing app).
import { createServer } from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';

const secret = process.env.CASPAY_WEBHOOK_SECRET ?? '';
let deliveries = 0;
const server = createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  const expected = createHmac('sha256', secret).update(body).digest();
  const sent = Buffer.from(String(req.headers['x-caspay-signature'] ?? ''), 'hex');
  const headersOk = req.headers['content-type']?.startsWith('application/json')
    && req.headers['user-agent'] === 'CasPay-Webhook/1.0'
    && typeof req.headers['x-caspay-event'] === 'string'
    && !Number.isNaN(Date.parse(String(req.headers['x-caspay-timestamp'])));
  const valid = Boolean(headersOk) && sent.length === expected.length && timingSafeEqual(sent, expected);
  const forced = Number(new URL(req.url ?? '/', 'http://receiver').searchParams.get('status'));
  const status = forced || (valid ? 200 : 401);
  deliveries += 1;
  console.log(JSON.stringify({
    status,
    valid,
    method: req.method,
    url: req.url,
    rawHeaders: req.rawHeaders,
    body: body.toString('base64'),
  }));
  res.writeHead(status, { 'content-type': 'application/json' })
    .end(JSON.stringify({ valid, delivery: deliveries, from: 'receiver.mjs' }));
});
server.listen(0, '127.0.0.1', () => console.log(`port ${/** @type {import('node:net').AddressInfo} */ (server.address()).port}`));
