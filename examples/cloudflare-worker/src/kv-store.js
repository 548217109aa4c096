// The package's dedupe store interface on a Workers KV namespace.
//
// KV is eventually consistent: two deliveries of the same event reaching different
// locations within about a minute can both see the key as absent, and both be processed.
// CasPay's retries are minutes apart, so KV stops them in practice; when a double side
// effect is unacceptable (money moves), route the claim through a Durable Object, whose
// single-threaded storage gives strict once-only semantics, or make the work idempotent.

/** KV rejects an expirationTtl below 60 seconds. */
const KV_MIN_TTL_SECONDS = 60;

/**
 * @param {KVNamespace} kv
 * @param {string} [prefix] keeps dedupe keys apart from the app's other keys
 * @returns {import('caspay-webhooks').DedupeStore}
 */
export function kvDedupeStore(kv, prefix = 'dedupe:') {
  return {
    async setIfAbsent(key, ttlSeconds) {
      if ((await kv.get(prefix + key)) !== null) return false;
      await kv.put(prefix + key, '1', { expirationTtl: Math.max(KV_MIN_TTL_SECONDS, Math.ceil(ttlSeconds)) });
      return true;
    },
    async delete(key) {
      await kv.delete(prefix + key);
    },
  };
}
