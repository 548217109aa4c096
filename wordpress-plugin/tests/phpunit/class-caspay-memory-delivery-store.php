<?php
/**
 * An in-memory CasPay_Delivery_Store, for testing the handler without a database (the
 * database-backed store is tested end to end on WordPress and MariaDB).
 *
 * @package CasPay_Webhooks
 */

/**
 * Rows in an array; claim() keyed by idempotency key like the table's unique index.
 */
final class CasPay_Memory_Delivery_Store implements CasPay_Delivery_Store {

	/**
	 * Claimed keys.
	 *
	 * @var array<string, true>
	 */
	public $claimed = array();

	/**
	 * Every logged row.
	 *
	 * @var array[]
	 */
	public $rows = array();

	/**
	 * When set, claim() throws it (a database failure).
	 *
	 * @var Throwable|null
	 */
	public $fail_with;

	/**
	 * {@inheritDoc}
	 *
	 * @param array  $event        Event.
	 * @param string $engine       Engine.
	 * @param int    $secret_index Secret.
	 */
	public function claim( array $event, $engine, $secret_index ) {
		if ( null !== $this->fail_with ) {
			throw $this->fail_with;
		}
		$key          = $event['idempotencyKey'];
		$is_new       = ! isset( $this->claimed[ $key ] );
		$this->rows[] = array( $is_new ? 'received' : 'duplicate', $key, $engine, $secret_index );
		$this->claimed[ $key ] = true;
		return $is_new;
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param array  $event  Event.
	 * @param string $reason Reason.
	 */
	public function release( array $event, $reason ) {
		unset( $this->claimed[ $event['idempotencyKey'] ] );
		$this->rows[] = array( 'failed', $event['idempotencyKey'], $reason, null );
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param int    $http_status  Status.
	 * @param string $code         Code.
	 * @param string $claimed_type Header.
	 * @param string $engine       Engine.
	 */
	public function reject( $http_status, $code, $claimed_type, $engine ) {
		$this->rows[] = array( 'rejected', $code, $http_status, $claimed_type );
	}
}
