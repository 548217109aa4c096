// A complete CasPay webhook endpoint: raw body with a limit, verification, the inbox, and
// dispatch to typed handlers, behind one adapter per kind of server. No receiver built on
// it hand-rolls raw-body handling or answers before an event is durable.
import { WebhookError } from './errors.js';
import { Webhook } from './api.js';
import { Inbox, errorAnswer } from './inbox.js';
import { encodingRefusal, readNodeBody, readRequestBody, tooLarge } from './body.js';

const encoder = new TextEncoder();

/** CasPay events are a few hundred bytes; 256 KiB leaves room for large metadata. */
export const DEFAULT_RECEIVER_MAX_PAYLOAD_BYTES = 256 * 1024;

/**
 * @typedef {import('../types/index.js').CasPayEvent} CasPayEvent
 * @typedef {import('../types/index.js').RunContext} RunContext
 * @typedef {import('../types/index.js').InboxAnswer} InboxAnswer
 * @typedef {import('../types/index.js').ReceiverOptions} ReceiverOptions
 * @typedef {import('../types/index.js').DeliveryReport} DeliveryReport
 * @typedef {(event: CasPayEvent, context: RunContext) => unknown} Handler
 */

export class Receiver {
  #webhook;
  /** @type {Inbox | null} the local inbox, when events are recorded in this process's store */
  #inbox = null;
  /** @type {(event: CasPayEvent) => Promise<InboxAnswer>} */
  #accept;
  /** @type {{ accept(event: CasPayEvent): Promise<InboxAnswer> }} */
  #target;
  #maxPayloadBytes;
  /** @type {Map<string, Handler[]>} */
  #handlers = new Map();
  /** @type {(report: DeliveryReport) => void} */
  #onDelivery;
  /** Event types already reported as having no handler (each is logged once). */
  #unhandledTypes = new Set();
  #stopped = false;

  /** @param {ReceiverOptions} options */
  constructor(options) {
    const secrets = options.secrets ?? options.secret;
    if (secrets === undefined || secrets === '' || (Array.isArray(secrets) && secrets.length === 0)) {
      throw new WebhookError('invalid_secret', 'Give the endpoint secret (whsec_...) from the CasPay dashboard: createReceiver({ secret }).');
    }
    // 0 keeps the default, as it does for `Webhook`.
    this.#maxPayloadBytes = options.maxPayloadBytes || DEFAULT_RECEIVER_MAX_PAYLOAD_BYTES;
    this.#webhook = new Webhook(secrets, { maxPayloadBytes: this.#maxPayloadBytes, toleranceSeconds: options.toleranceSeconds });
    this.#onDelivery = options.onDelivery ?? (() => {});
    const remote = options.inbox;
    if (remote !== undefined) {
      // Recorded and processed elsewhere (a Durable Object per event): handlers run there.
      this.#target = remote;
      this.#accept = (event) => remote.accept(event);
      return;
    }
    if (options.store === undefined) {
      throw new TypeError('createReceiver: give a store for its inbox (SqliteStore, PostgresStore; MemoryStore for tests) or an inbox.');
    }
    const inbox = new Inbox({
      store: options.store,
      handler: (event, context) => this.#dispatch(event, context),
      leaseSeconds: options.leaseSeconds,
      maxAttempts: options.maxAttempts,
      backoff: options.backoff,
      now: options.now,
      onRun: options.onRun,
      concurrency: options.concurrency,
      pollIntervalMs: options.pollIntervalMs,
      retainDoneSeconds: options.retainDoneSeconds,
    });
    this.#inbox = inbox;
    this.#target = inbox;
    if ((options.processing ?? 'in-request') === 'in-request') {
      this.#accept = (event) => inbox.acceptAndProcess(event);
    } else {
      this.#accept = (event) => inbox.accept(event);
      // Started once the code that made the receiver has registered its handlers (chained or
      // in the same turn): started at once, the worker could claim an event a previous
      // process left before any handler existed.
      setTimeout(() => {
        if (!this.#stopped) inbox.start();
      }, 0);
    }
  }

  /** The inbox (a local one's store lists failed and dead events; `retry(key)` re-runs one). */
  get inbox() {
    return this.#target;
  }

  /**
   * Runs `handler` for every event of `type` (its canonical kind also matches:
   * `subscription.canceled` receives `subscription.cancelled` too), of any of several types
   * given as an array, or for every event with `'*'`. All handlers of an event form one
   * run, each handler once: if one throws, the run is retried.
   * @param {string | readonly string[]} type
   * @param {Handler} handler
   */
  on(type, handler) {
    if (typeof handler !== 'function') throw new TypeError('on(type, handler): the handler must be a function');
    if (this.#inbox === null) throw new TypeError('on(type, handler): this receiver hands its events to another inbox; register the handlers where that inbox runs them.');
    for (const one of typeof type === 'string' ? [type] : type) {
      const list = this.#handlers.get(one) ?? [];
      list.push(handler);
      this.#handlers.set(one, list);
    }
    return this;
  }

  /**
   * Stops the worker loop and waits for runs in progress (call on SIGTERM).
   */
  async stop() {
    this.#stopped = true;
    await this.#inbox?.stop();
  }

  /**
   * The whole decision for one delivery, whatever the server: verify, record, process.
   * @param {Uint8Array | string} body the raw body
   * @param {import('../types/index.js').SignatureSource} headers
   * @returns {Promise<InboxAnswer>}
   */
  async handle(body, headers) {
    /** @type {CasPayEvent} */
    let event;
    try {
      event = this.#webhook.verify(body, headers);
    } catch (error) {
      if (!(error instanceof WebhookError)) throw error;
      return this.#report(errorAnswer(error), error.code);
    }
    const answer = await this.#accept(event);
    return this.#report(answer, typeof answer.body.error === 'string' ? answer.body.error : null, event);
  }

  /**
   * For fetch-style servers: Cloudflare Workers, Next.js route handlers, Hono, Bun, Deno.
   * @param {Request} request
   * @returns {Promise<Response>}
   */
  fetch = async (request) => {
    if (request.method !== 'POST') return toResponse(methodNotAllowed());
    let body;
    try {
      body = await readRequestBody(request, this.#maxPayloadBytes);
    } catch (error) {
      if (!(error instanceof WebhookError)) throw error;
      return toResponse(this.#report(errorAnswer(error), error.code));
    }
    return toResponse(await this.handle(body, request.headers));
  };

  /**
   * For Node servers: `http.createServer(receiver.node)`, `app.post('/webhook', receiver.node)`
   * in Express (without a JSON body parser before it). Never throws; an aborted request is
   * dropped without an answer.
   * @param {import('./body.js').NodeRequest & { method?: string }} req
   * @param {NodeResponse} res
   */
  node = async (req, res) => {
    const answer = await this.#nodeAnswer(req);
    if (answer !== null) writeNode(res, answer);
  };

  /**
   * For Koa: `router.post('/webhook', receiver.koa)`.
   * @param {{ req: import('./body.js').NodeRequest & { method?: string }, request?: { body?: unknown }, status: number, body: unknown, set(name: string, value: string): void }} ctx
   */
  koa = async (ctx) => {
    if (ctx.request?.body !== undefined) ctx.req.body = ctx.request.body;
    const answer = await this.#nodeAnswer(ctx.req);
    if (answer === null) return;
    ctx.status = answer.status;
    for (const [name, value] of Object.entries(answer.headers)) ctx.set(name, value);
    ctx.body = answer.body;
  };

  /**
   * For Fastify: `fastify.register(receiver.fastify, { path: '/webhook' })`. The plugin
   * keeps the raw bytes for its own route only (an encapsulated content-type parser).
   * @param {FastifyLike} fastify
   * @param {{ path?: string }} options
   */
  fastify = async (fastify, options) => {
    fastify.removeAllContentTypeParsers();
    fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: this.#maxPayloadBytes }, (_request, body, done) => done(null, body));
    // Fastify's own refusals (body over the limit, bad Content-Length) get the stable codes.
    fastify.setErrorHandler(async (error, _request, reply) => {
      const webhookError = error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? tooLarge(this.#maxPayloadBytes)
        : error.code?.startsWith('FST_ERR_CTP')
          ? new WebhookError('invalid_json', `The request body could not be read: ${error.message}`)
          : new WebhookError('internal_error', 'The delivery could not be handled; send it again.');
      const answer = this.#report(errorAnswer(webhookError), webhookError.code);
      reply.code(answer.status).send(answer.body);
    });
    fastify.post(options.path ?? '/webhook', async (request, reply) => {
      const header = request.headers['content-encoding'];
      const refusal = encodingRefusal(Array.isArray(header) ? header.join(',') : header);
      const answer = refusal
        ? this.#report(errorAnswer(refusal), refusal.code)
        : await this.handle(request.body ?? new Uint8Array(0), request.headers);
      reply.code(answer.status).headers(answer.headers).send(answer.body);
    });
  };

  /**
   * @param {import('./body.js').NodeRequest & { method?: string }} req
   * @returns {Promise<InboxAnswer | null>}
   */
  async #nodeAnswer(req) {
    try {
      if (req.method !== undefined && req.method !== 'POST') return methodNotAllowed();
      const body = await readNodeBody(req, this.#maxPayloadBytes);
      if (body === null) return null;
      return await this.handle(body, req.headers);
    } catch (error) {
      if (error instanceof WebhookError) return this.#report(errorAnswer(error), error.code);
      console.error('caspay-webhooks receiver: unexpected failure', error);
      return this.#report(errorAnswer(new WebhookError('internal_error', 'The delivery could not be handled; send it again.')), 'internal_error');
    }
  }

  /**
   * @param {CasPayEvent} event
   * @param {RunContext} context
   */
  async #dispatch(event, context) {
    // Nothing registered yet (handlers added after an `await`): the run fails and is tried
    // again later, rather than marking the event done with nothing run.
    if (this.#handlers.size === 0) {
      throw new Error('caspay-webhooks receiver: no handler is registered yet (receiver.on(type, handler)); the event is kept and tried again.');
    }
    // A handler registered for both spellings of a type, or for a type and its kind, runs once.
    const run = new Set();
    for (const type of new Set([String(event.type), event.kind, '*'])) {
      for (const handler of this.#handlers.get(type) ?? []) {
        if (run.has(handler)) continue;
        run.add(handler);
        await handler(event, context);
      }
    }
    if (run.size === 0 && !this.#unhandledTypes.has(event.type)) {
      this.#unhandledTypes.add(event.type);
      console.warn(`caspay-webhooks receiver: no handler for ${event.type} events; they are recorded as done without running anything. Register .on('${event.type}', …) or .on('*', …) to process them.`);
    }
  }

  /**
   * @param {InboxAnswer} answer
   * @param {string | null} code
   * @param {CasPayEvent} [event]
   */
  #report(answer, code, event) {
    try {
      this.#onDelivery({ status: answer.status, code: code ?? (answer.body.duplicate ? 'duplicate_event' : null), event: event ?? null });
    } catch (error) {
      console.error('caspay-webhooks receiver: onDelivery threw', error);
    }
    return answer;
  }
}

/**
 * A receiver: `createReceiver({ secret, store }).on('payment.completed', handler)`.
 * @param {ReceiverOptions} options
 */
export function createReceiver(options) {
  return new Receiver(options);
}

/** @returns {InboxAnswer} */
function methodNotAllowed() {
  return { status: 405, body: { error: 'method_not_allowed', message: 'CasPay delivers webhooks with POST.' }, headers: { allow: 'POST' } };
}

/** @param {InboxAnswer} answer */
function toResponse(answer) {
  return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': 'application/json', ...answer.headers } });
}

/**
 * @typedef {{ headersSent?: boolean, writableEnded?: boolean, writeHead(status: number, headers: Record<string, string | number>): unknown, end(body: string): unknown }} NodeResponse
 * @typedef {{
 *   removeAllContentTypeParsers(): void,
 *   setErrorHandler(handler: (error: Error & { code?: string }, request: unknown, reply: { code(status: number): { send(body: unknown): unknown } }) => Promise<void>): void,
 *   addContentTypeParser(type: string, options: { parseAs: 'buffer', bodyLimit: number }, parser: (request: unknown, body: Uint8Array, done: (error: Error | null, body?: Uint8Array) => void) => void): void,
 *   post(path: string, handler: (request: { body?: Uint8Array, headers: Record<string, string | string[] | undefined> }, reply: { code(status: number): { headers(h: Record<string, string>): { send(body: unknown): unknown } } }) => Promise<void>): void,
 * }} FastifyLike
 */

/**
 * @param {NodeResponse} res
 * @param {InboxAnswer} answer
 */
function writeNode(res, answer) {
  if (res.headersSent || res.writableEnded) return;
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, { 'content-type': 'application/json', 'content-length': encoder.encode(text).byteLength, ...answer.headers });
  res.end(text);
}
