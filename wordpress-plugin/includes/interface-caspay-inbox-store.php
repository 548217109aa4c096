<?php
/**
 * Where the inbox keeps each event's state (docs/inbox.md) and the delivery log.
 *
 * @package CasPay_Webhooks
 */

defined( 'ABSPATH' ) || defined( 'CASPAY_WEBHOOKS_LIBRARY' ) || exit;

/**
 * The storage half of the inbox state machine; CasPay_Inbox holds the decisions.
 *
 * Every method that changes a row is a single conditional write, so that concurrent
 * requests (CasPay's retries, proxies, the WP-Cron sweep) never both win: record() is an
 * insert under a unique key, claim() a compare-and-set on the attempt count, and
 * listener_done(), complete() and fail() name the attempt they finish (the attempt number
 * is the lease's fencing token: a run whose lease was taken over changes nothing).
 *
 * A row, as find() returns it: `id`, `key` (the idempotency key), `type`, `state`
 * (received, processing, done, failed, dead), `attempts`, `attempts_base` (the attempt
 * count when an operator last re-ran it), `lease_until`, `next_attempt_at`, `last_error`,
 * `listeners` (id of each listener that finished => the attempt it finished in), `event`
 * (the normalized event, or null when it was not kept), `engine`, `secret_index`,
 * `received_at`, `updated_at`, `done_at`. Times are unix seconds.
 *
 * The plugin's store is CasPay_Wpdb_Inbox_Store; the tests' in-memory store passes the
 * same contract (tests/phpunit/class-caspay-inbox-store-contract.php).
 */
interface CasPay_Inbox_Store {

	/**
	 * Records a verified event whose key is new, already claimed by the caller: state
	 * processing, attempt 1, leased until $lease_until. Does nothing for a known key.
	 *
	 * @param array    $event        The normalized event (kept, so a sweep can process it later).
	 * @param string   $engine       Engine name.
	 * @param int|null $secret_index Which secret verified it.
	 * @param int      $now          Unix seconds.
	 * @param int      $lease_until  Unix seconds.
	 * @return bool True when the key was new (the caller now runs attempt 1).
	 * @throws RuntimeException When the store cannot be written.
	 */
	public function record( array $event, $engine, $secret_index, $now, $lease_until );

	/**
	 * The row of an idempotency key.
	 *
	 * @param string $key Idempotency key.
	 * @return array|null
	 * @throws RuntimeException When the store cannot be read.
	 */
	public function find( $key );

	/**
	 * Takes the event for a new attempt when it is claimable (received; failed with
	 * next_attempt_at ≤ $now; processing with lease_until ≤ $now) and its attempt count is
	 * still $attempts: state processing, attempts + 1, leased until $lease_until.
	 *
	 * @param string $key         Idempotency key.
	 * @param int    $attempts    The attempt count the caller read.
	 * @param int    $now         Unix seconds.
	 * @param int    $lease_until Unix seconds.
	 * @return bool True for the one caller that won.
	 */
	public function claim( $key, $attempts, $now, $lease_until );

	/**
	 * Records that one listener finished in this attempt, while the attempt holds the lease.
	 *
	 * @param string $key         Idempotency key.
	 * @param int    $attempt     The attempt (fencing token).
	 * @param string $listener_id Stable listener id.
	 * @param int    $now         Unix seconds.
	 * @return bool False when the lease was lost (another run took the event over).
	 */
	public function listener_done( $key, $attempt, $listener_id, $now );

	/**
	 * processing → done, when $attempt still holds the lease.
	 *
	 * @param string $key     Idempotency key.
	 * @param int    $attempt The attempt (fencing token).
	 * @param int    $now     Unix seconds.
	 * @return bool
	 */
	public function complete( $key, $attempt, $now );

	/**
	 * processing → failed (with $next_attempt_at) or dead, when $attempt still holds the lease.
	 *
	 * @param string $key             Idempotency key.
	 * @param int    $attempt         The attempt (fencing token).
	 * @param string $error           What failed, for the operator.
	 * @param string $state           `failed` or `dead`.
	 * @param int    $next_attempt_at Unix seconds (ignored for dead).
	 * @param int    $now             Unix seconds.
	 * @return bool
	 */
	public function fail( $key, $attempt, $error, $state, $next_attempt_at, $now );

	/**
	 * An operator's "process again": failed or dead → received (attempts_base = attempts).
	 *
	 * @param string $key Idempotency key.
	 * @param int    $now Unix seconds.
	 * @return bool False when the event is in no such state.
	 */
	public function retry( $key, $now );

	/**
	 * Keys a sweep should process: received, failed and due, or processing with an expired
	 * lease; oldest first.
	 *
	 * @param int $now   Unix seconds.
	 * @param int $limit At most this many.
	 * @return string[]
	 */
	public function due( $now, $limit );

	/**
	 * Appends to the delivery log. An entry with a `bucket` is counted into the row of the
	 * same bucket when there is one (`hits` + 1) instead of adding a row: that is how a flood
	 * of rejected or repeated deliveries stays a handful of rows.
	 *
	 * Keys: via (http, cron, admin), status, http_status, code, type, key, engine,
	 * secret_index, attempt, message, bucket (string or null), now.
	 *
	 * @param array $entry The entry.
	 */
	public function log( array $entry );
}
