// The few Workers runtime types this example uses, so `tsc` checks it without pulling in
// @cloudflare/workers-types (wrangler projects get the full set from `wrangler types`).
interface DurableObjectStorage {
  get(key: string): Promise<unknown>;
  put(key: string, value: unknown): Promise<void>;
  list(options?: { prefix?: string }): Promise<Map<string, unknown>>;
}
interface DurableObjectState {
  readonly storage: DurableObjectStorage;
}
interface DurableObjectId {
  toString(): string;
}
interface DurableObjectStub {
  fetch(input: string, init?: RequestInit): Promise<Response>;
}
interface DurableObjectNamespace {
  idFromName(name: string): DurableObjectId;
  get(id: DurableObjectId): DurableObjectStub;
}
