// The few Workers runtime types this example uses, so `tsc` checks it without pulling in
// @cloudflare/workers-types (wrangler projects get the full set from `wrangler types`).
interface KVNamespace {
  get(key: string): Promise<string | null>;
  get(key: string, type: 'json'): Promise<unknown>;
  put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void>;
  delete(key: string): Promise<void>;
}
interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}
