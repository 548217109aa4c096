// An independent receiver for the CLI test: checks CasPay's headers and the signature with
// Node's own crypto over the raw body. Prints its port, then one line per delivery.
import { createServer } from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';

const secret = process.env.CASPAY_WEBHOOK_SECRET ?? '';
const server = createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  const expected = createHmac('sha256', secret).update(body).digest();
  const sent = Buffer.from(String(req.headers['x-caspay-signature'] ?? ''), 'hex');
  const headersOk = req.headers['content-type'] === 'application/json'
    && req.headers['user-agent'] === 'CasPay-Webhook/1.0'
    && typeof req.headers['x-caspay-event'] === 'string'
    && !Number.isNaN(Date.parse(String(req.headers['x-caspay-timestamp'])));
  const valid = headersOk && sent.length === expected.length && timingSafeEqual(sent, expected);
  console.log(`${valid ? 200 : 401} ${req.headers['x-caspay-event']} ${body.length}`);
  res.writeHead(valid ? 200 : 401, { 'content-type': 'application/json' }).end(JSON.stringify({ valid }));
});
server.listen(0, '127.0.0.1', () => console.log(`port ${/** @type {import('node:net').AddressInfo} */ (server.address()).port}`));
