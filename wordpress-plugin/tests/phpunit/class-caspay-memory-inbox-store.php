<?php
/**
 * An in-memory CasPay_Inbox_Store, for testing the inbox and the handler without a
 * database. The plugin's table (CasPay_Wpdb_Inbox_Store) passes the same contract
 * (class-caspay-inbox-store-contract.php) on MariaDB in the end-to-end test.
 *
 * @package CasPay_Webhooks
 */

/**
 * Rows in an array, keyed by idempotency key like the table's unique index. One PHP
 * process has no concurrency, so each method is trivially atomic; the contract checks the
 * conditions (state, lease, attempt) each write must test.
 */
final class CasPay_Memory_Inbox_Store implements CasPay_Inbox_Store {

	/**
	 * Rows by idempotency key.
	 *
	 * @var array<string, array>
	 */
	public $rows = array();

	/**
	 * Log rows, in order.
	 *
	 * @var array[]
	 */
	public $log = array();

	/**
	 * When set, record() throws it (a database failure).
	 *
	 * @var Throwable|null
	 */
	public $fail_with;

	/**
	 * Next row id.
	 *
	 * @var int
	 */
	private $next_id = 1;

	/**
	 * {@inheritDoc}
	 *
	 * @param array    $event        Event.
	 * @param string   $engine       Engine.
	 * @param int|null $secret_index Secret.
	 * @param int      $now          Now.
	 * @param int      $lease_until  Lease.
	 * @throws Throwable The configured failure.
	 */
	public function record( array $event, $engine, $secret_index, $now, $lease_until ) {
		if ( null !== $this->fail_with ) {
			throw $this->fail_with;
		}
		$key = (string) $event['idempotencyKey'];
		if ( isset( $this->rows[ $key ] ) ) {
			return false;
		}
		// Stored as the table stores it: JSON, decoded on read.
		$this->rows[ $key ] = array(
			'id'              => $this->next_id++,
			'key'             => $key,
			'type'            => (string) $event['type'],
			'state'           => 'processing',
			'attempts'        => 1,
			'attempts_base'   => 0,
			'lease_until'     => $lease_until,
			'next_attempt_at' => 0,
			'last_error'      => null,
			'listeners'       => array(),
			'event_json'      => json_encode( $event, JSON_PRESERVE_ZERO_FRACTION | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE ),
			'engine'          => $engine,
			'secret_index'    => $secret_index,
			'received_at'     => $now,
			'updated_at'      => $now,
			'done_at'         => null,
		);
		return true;
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $key Key.
	 */
	public function find( $key ) {
		if ( ! isset( $this->rows[ $key ] ) ) {
			return null;
		}
		$row          = $this->rows[ $key ];
		$row['event'] = null === $row['event_json'] ? null : json_decode( $row['event_json'], true );
		unset( $row['event_json'] );
		return $row;
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $key         Key.
	 * @param int    $attempts    Attempts read.
	 * @param int    $now         Now.
	 * @param int    $lease_until Lease.
	 */
	public function claim( $key, $attempts, $now, $lease_until ) {
		if ( ! isset( $this->rows[ $key ] ) ) {
			return false;
		}
		$row       = &$this->rows[ $key ];
		$claimable = 'received' === $row['state']
			|| ( 'failed' === $row['state'] && $row['next_attempt_at'] <= $now )
			|| ( 'processing' === $row['state'] && $row['lease_until'] <= $now );
		if ( ! $claimable || $row['attempts'] !== (int) $attempts ) {
			return false;
		}
		$row['state']       = 'processing';
		$row['attempts']    = $row['attempts'] + 1;
		$row['lease_until'] = $lease_until;
		$row['updated_at']  = $now;
		return true;
	}

	/**
	 * Whether $attempt holds the lease of $key.
	 *
	 * @param string $key     Key.
	 * @param int    $attempt Attempt.
	 * @return bool
	 */
	private function holds( $key, $attempt ) {
		return isset( $this->rows[ $key ] ) && 'processing' === $this->rows[ $key ]['state'] && $this->rows[ $key ]['attempts'] === (int) $attempt;
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $key         Key.
	 * @param int    $attempt     Attempt.
	 * @param string $listener_id Listener.
	 * @param int    $now         Now.
	 */
	public function listener_done( $key, $attempt, $listener_id, $now ) {
		if ( ! $this->holds( $key, $attempt ) ) {
			return false;
		}
		$this->rows[ $key ]['listeners'][ $listener_id ] = (int) $attempt;
		$this->rows[ $key ]['updated_at']                = $now;
		return true;
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $key     Key.
	 * @param int    $attempt Attempt.
	 * @param int    $now     Now.
	 */
	public function complete( $key, $attempt, $now ) {
		if ( ! $this->holds( $key, $attempt ) ) {
			return false;
		}
		$row                = &$this->rows[ $key ];
		$row['state']       = 'done';
		$row['lease_until'] = 0;
		$row['done_at']     = $now;
		$row['updated_at']  = $now;
		return true;
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $key             Key.
	 * @param int    $attempt         Attempt.
	 * @param string $error           Error.
	 * @param string $state           failed or dead.
	 * @param int    $next_attempt_at Next attempt.
	 * @param int    $now             Now.
	 */
	public function fail( $key, $attempt, $error, $state, $next_attempt_at, $now ) {
		if ( ! $this->holds( $key, $attempt ) ) {
			return false;
		}
		$row                    = &$this->rows[ $key ];
		$row['state']           = 'dead' === $state ? 'dead' : 'failed';
		$row['last_error']      = $error;
		$row['lease_until']     = 0;
		$row['next_attempt_at'] = 'dead' === $state ? 0 : $next_attempt_at;
		$row['updated_at']      = $now;
		return true;
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $key Key.
	 * @param int    $now Now.
	 */
	public function retry( $key, $now ) {
		if ( ! isset( $this->rows[ $key ] ) || ! in_array( $this->rows[ $key ]['state'], array( 'failed', 'dead' ), true ) ) {
			return false;
		}
		$row                    = &$this->rows[ $key ];
		$row['state']           = 'received';
		$row['attempts_base']   = $row['attempts'];
		$row['next_attempt_at'] = 0;
		$row['updated_at']      = $now;
		return true;
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param int $now   Now.
	 * @param int $limit Limit.
	 */
	public function due( $now, $limit ) {
		$keys = array();
		foreach ( $this->rows as $key => $row ) {
			if ( 'received' === $row['state']
				|| ( 'failed' === $row['state'] && $row['next_attempt_at'] <= $now )
				|| ( 'processing' === $row['state'] && $row['lease_until'] <= $now ) ) {
				$keys[] = (string) $key;
			}
		}
		return array_slice( $keys, 0, $limit );
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param array $entry Entry.
	 */
	public function log( array $entry ) {
		if ( null !== $entry['bucket'] ) {
			foreach ( $this->log as $i => $row ) {
				if ( $row['bucket'] === $entry['bucket'] ) {
					++$this->log[ $i ]['hits'];
					return;
				}
			}
		}
		$this->log[] = $entry + array( 'hits' => 1 );
	}

	/**
	 * The log as "status http code" lines with their hits, for assertions.
	 *
	 * @return array<string, int>
	 */
	public function log_summary() {
		$summary = array();
		foreach ( $this->log as $row ) {
			$line             = trim( $row['via'] . ' ' . $row['status'] . ' ' . $row['http_status'] . ' ' . $row['code'] );
			$summary[ $line ] = ( isset( $summary[ $line ] ) ? $summary[ $line ] : 0 ) + $row['hits'];
		}
		ksort( $summary );
		return $summary;
	}
}
