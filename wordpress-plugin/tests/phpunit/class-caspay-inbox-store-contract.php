<?php
/**
 * The contract every CasPay_Inbox_Store passes: the in-memory store under PHPUnit, the
 * plugin's table on MariaDB in the end-to-end test (e2e-helper.php store-contract).
 *
 * @package CasPay_Webhooks
 */

/**
 * Runs the transitions of docs/inbox.md against a store and returns what went wrong (an
 * empty list when the store follows the state machine). Plain PHP, no PHPUnit, so it can
 * run inside WordPress.
 */
final class CasPay_Inbox_Store_Contract {

	/**
	 * Failures so far.
	 *
	 * @var string[]
	 */
	private $failures = array();

	/**
	 * Runs every check on $store with keys prefixed by $prefix (unique per run).
	 *
	 * @param CasPay_Inbox_Store $store  The store.
	 * @param string             $prefix Key prefix.
	 * @return string[] Failures.
	 */
	public static function run( CasPay_Inbox_Store $store, $prefix ) {
		$contract = new self();
		$contract->check_record_and_fencing( $store, $prefix . 'a' );
		$contract->check_expired_lease( $store, $prefix . 'b' );
		$contract->check_dead_and_retry( $store, $prefix . 'c' );
		$contract->check_unknown_key( $store, $prefix . 'missing' );
		return $contract->failures;
	}

	/**
	 * An event whose stored copy must come back equal (floats, Unicode, nesting, empties).
	 *
	 * @param string $key Idempotency key.
	 * @return array
	 */
	public static function event( $key ) {
		return array(
			'id'             => $key,
			'type'           => 'payment.completed',
			'kind'           => 'payment.completed',
			'category'       => 'payment',
			'shape'          => 'a',
			'created'        => 1795773600,
			'merchantId'     => null,
			'livemode'       => false,
			'idempotencyKey' => $key,
			'payment'        => array(
				'id'       => 'pay_1',
				'amount'   => array(
					'value' => '12.50',
					'unit'  => 'cspr',
					'motes' => '12500000000',
				),
				'currency' => 'CSPR',
				'metadata' => array(
					'orderId' => 'ord_é/1 "quoted" \\ 🎉',
					'empty'   => array(),
				),
			),
			'subscription'   => null,
			'data'           => array(
				'ratio'   => 0.1,
				'whole'   => 1.0,
				'big'     => '123456789012345678901234567890',
				'list'    => array( 1, array( 'a' => null ), true ),
				'control' => "tab\tnew\nline",
			),
		);
	}

	/**
	 * Records a failure unless $condition holds.
	 *
	 * @param bool   $condition What must hold.
	 * @param string $message   What it means.
	 */
	private function check( $condition, $message ) {
		if ( ! $condition ) {
			$this->failures[] = $message;
		}
	}

	/**
	 * New key, copies, listener results, failure, backoff, compare-and-set, completion.
	 *
	 * @param CasPay_Inbox_Store $store The store.
	 * @param string             $key   Key.
	 */
	private function check_record_and_fencing( CasPay_Inbox_Store $store, $key ) {
		$now   = 1800000000;
		$event = self::event( $key );
		$this->check( true === $store->record( $event, 'php', 0, $now, $now + 30 ), 'record: a new key is recorded and claimed' );
		$this->check( false === $store->record( $event, 'php', 0, $now, $now + 30 ), 'record: a known key is not recorded again' );
		$row = $store->find( $key );
		$this->check( is_array( $row ), 'find: the recorded row is found' );
		if ( ! is_array( $row ) ) {
			return;
		}
		$this->check( 'processing' === $row['state'] && 1 === $row['attempts'] && $now + 30 === $row['lease_until'], 'record: processing, attempt 1, leased (got ' . $row['state'] . ', ' . $row['attempts'] . ', ' . $row['lease_until'] . ')' );
		$this->check( $row['event'] == $event && self::same_types( $row['event'], $event ), 'find: the stored event equals the recorded one, types included' ); // phpcs:ignore Universal.Operators.StrictComparisons.LooseEqual
		$this->check( array() === $row['listeners'] && 0 === $row['attempts_base'], 'record: no listener finished, no operator re-run' );
		$this->check( 'payment.completed' === $row['type'] && $key === $row['key'], 'find: type and key' );

		$this->check( false === $store->claim( $key, 1, $now + 29, $now + 60 ), 'claim: refused while the lease is held' );
		$this->check( ! in_array( $key, $store->due( $now + 29, 100 ), true ), 'due: a leased event is not due' );
		$this->check( true === $store->listener_done( $key, 1, 'hook|10|first', $now + 1 ), 'listener_done: the lease holder records a listener' );
		$this->check( false === $store->listener_done( $key, 2, 'hook|10|second', $now + 1 ), 'listener_done: another attempt number is refused' );
		$this->check( false === $store->complete( $key, 2, $now + 1 ), 'complete: another attempt number is refused' );

		$this->check( true === $store->fail( $key, 1, "RuntimeException: down\nsecond line é", 'failed', $now + 12, $now + 2 ), 'fail: the lease holder fails the attempt' );
		$row = $store->find( $key );
		$this->check( 'failed' === $row['state'] && $now + 12 === $row['next_attempt_at'] && "RuntimeException: down\nsecond line é" === $row['last_error'], 'fail: failed, next attempt, last error kept' );
		$this->check( array( 'hook|10|first' => 1 ) === $row['listeners'], 'fail: finished listeners are kept' );
		$this->check( false === $store->fail( $key, 1, 'again', 'failed', $now + 12, $now + 2 ), 'fail: a finished attempt cannot fail again' );

		$this->check( false === $store->claim( $key, 1, $now + 11, $now + 41 ), 'claim: refused before the next attempt is due' );
		$this->check( ! in_array( $key, $store->due( $now + 11, 100 ), true ) && in_array( $key, $store->due( $now + 12, 100 ), true ), 'due: a failed event is due at next_attempt_at' );
		$this->check( false === $store->claim( $key, 0, $now + 12, $now + 42 ), 'claim: refused with a stale attempt count' );
		$this->check( true === $store->claim( $key, 1, $now + 12, $now + 42 ), 'claim: a due failed event is claimed' );
		$this->check( false === $store->claim( $key, 1, $now + 12, $now + 42 ), 'claim: only one claimer wins' );
		$row = $store->find( $key );
		$this->check( 'processing' === $row['state'] && 2 === $row['attempts'] && $now + 42 === $row['lease_until'], 'claim: processing, attempt 2, new lease' );
		$this->check( false === $store->complete( $key, 1, $now + 13 ), 'complete: the previous attempt cannot complete' );
		$this->check( true === $store->listener_done( $key, 2, 'hook|10|second', $now + 13 ), 'listener_done: attempt 2 records its listener' );
		$this->check( true === $store->complete( $key, 2, $now + 14 ), 'complete: the lease holder completes' );
		$row = $store->find( $key );
		$this->check( 'done' === $row['state'] && $now + 14 === (int) $row['done_at'], 'complete: done, done_at' );
		$this->check(
			array(
				'hook|10|first'  => 1,
				'hook|10|second' => 2,
			) === $row['listeners'],
			'complete: each listener with the attempt it finished in'
		);
		$this->check( false === $store->claim( $key, 2, $now + 999, $now + 1029 ), 'claim: a done event is never claimed' );
		$this->check( false === $store->retry( $key, $now + 999 ), 'retry: a done event is not re-run' );
		$this->check( ! in_array( $key, $store->due( $now + 99999, 1000 ), true ), 'due: a done event is never due' );
	}

	/**
	 * A run that died: its lease expires, the next claim takes over, the dead run is fenced.
	 *
	 * @param CasPay_Inbox_Store $store The store.
	 * @param string             $key   Key.
	 */
	private function check_expired_lease( CasPay_Inbox_Store $store, $key ) {
		$now = 1800000000;
		$store->record( self::event( $key ), 'wasm', 1, $now, $now + 30 );
		$this->check( in_array( $key, $store->due( $now + 30, 1000 ), true ), 'due: an expired lease is due' );
		$this->check( true === $store->claim( $key, 1, $now + 30, $now + 60 ), 'claim: an expired lease is taken over' );
		$this->check( false === $store->listener_done( $key, 1, 'late', $now + 31 ), 'listener_done: the run that lost its lease is fenced' );
		$this->check( false === $store->fail( $key, 1, 'late', 'failed', $now + 40, $now + 31 ), 'fail: the run that lost its lease is fenced' );
		$this->check( false === $store->complete( $key, 1, $now + 31 ), 'complete: the run that lost its lease is fenced' );
		$row = $store->find( $key );
		$this->check( 'processing' === $row['state'] && 2 === $row['attempts'] && array() === $row['listeners'], 'the new run is untouched by the old one' );
		$this->check( 'wasm' === $row['engine'] && 1 === (int) $row['secret_index'], 'record: engine and secret index kept' );
		$store->complete( $key, 2, $now + 32 );
	}

	/**
	 * The last attempt fails: dead; an operator re-runs it.
	 *
	 * @param CasPay_Inbox_Store $store The store.
	 * @param string             $key   Key.
	 */
	private function check_dead_and_retry( CasPay_Inbox_Store $store, $key ) {
		$now = 1800000000;
		$store->record( self::event( $key ), 'php', 0, $now, $now + 30 );
		$this->check( true === $store->fail( $key, 1, 'gave up', 'dead', 0, $now + 1 ), 'fail: dead' );
		$row = $store->find( $key );
		$this->check( 'dead' === $row['state'] && 'gave up' === $row['last_error'], 'dead: state and last error' );
		$this->check( false === $store->claim( $key, 1, $now + 99999, $now + 100029 ), 'claim: a dead event is never claimed' );
		$this->check( ! in_array( $key, $store->due( $now + 99999, 1000 ), true ), 'due: a dead event is never due' );
		$this->check( true === $store->retry( $key, $now + 100 ), 'retry: an operator re-runs a dead event' );
		$row = $store->find( $key );
		$this->check( 'received' === $row['state'] && 1 === $row['attempts_base'] && 1 === $row['attempts'], 'retry: received, attempts_base = attempts' );
		$this->check( false === $store->retry( $key, $now + 100 ), 'retry: a received event is not re-run twice' );
		$this->check( in_array( $key, $store->due( $now + 100, 1000 ), true ), 'due: a received event is due' );
		$this->check( true === $store->claim( $key, 1, $now + 100, $now + 130 ), 'claim: a received event is claimed' );
		$this->check( true === $store->complete( $key, 2, $now + 101 ), 'complete: after an operator re-run' );
	}

	/**
	 * Keys that were never recorded.
	 *
	 * @param CasPay_Inbox_Store $store The store.
	 * @param string             $key   Key.
	 */
	private function check_unknown_key( CasPay_Inbox_Store $store, $key ) {
		$this->check( null === $store->find( $key ), 'find: an unknown key is null' );
		$this->check( false === $store->claim( $key, 0, 1800000000, 1800000030 ), 'claim: an unknown key is not claimed' );
		$this->check( false === $store->retry( $key, 1800000000 ), 'retry: an unknown key is not re-run' );
	}

	/**
	 * Whether two decoded values have the same PHP types at every depth.
	 *
	 * @param mixed $a A value.
	 * @param mixed $b A value.
	 * @return bool
	 */
	private static function same_types( $a, $b ) {
		if ( gettype( $a ) !== gettype( $b ) ) {
			return false;
		}
		if ( is_array( $a ) ) {
			foreach ( $a as $k => $v ) {
				if ( ! array_key_exists( $k, $b ) || ! self::same_types( $v, $b[ $k ] ) ) {
					return false;
				}
			}
		}
		return true;
	}
}
