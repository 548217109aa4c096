// A view of an inbox store for tests: every call of the InboxStore contract passed through,
// any of them replaceable (a failure where a database outage would give one), and no
// `extend`, so runs through it keep no lease alive, as a process that died does not.

/**
 * @param {import('caspay-webhooks').InboxStore} store
 * @param {Partial<Pick<import('caspay-webhooks').InboxStore, 'claim' | 'complete'>>} [replaced]
 * @returns {import('caspay-webhooks').InboxStore}
 */
export function storeView(store, replaced = {}) {
  return {
    record: (entry) => store.record(entry),
    claim: replaced.claim ?? ((request) => store.claim(request)),
    complete: replaced.complete ?? ((finished) => store.complete(finished)),
    fail: (failed) => store.fail(failed),
    get: (key) => store.get(key),
    list: (filter) => store.list(filter),
    retry: (key, now) => store.retry(key, now),
    prune: (before) => store.prune(before),
    close: () => store.close(),
  };
}
