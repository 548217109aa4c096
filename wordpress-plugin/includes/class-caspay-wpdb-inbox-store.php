<?php
/**
 * The inbox in the site's database.
 *
 * @package CasPay_Webhooks
 */

defined( 'ABSPATH' ) || exit;

/**
 * CasPay_Inbox_Store on the `{prefix}caspay_webhook_inbox` table (CasPay_Schema).
 *
 * Each transition is one statement whose WHERE clause is the transition's condition, and
 * the affected-row count says whether it happened: the database, not PHP, decides between
 * concurrent requests. record() is an insert under the unique event_key (ON DUPLICATE KEY
 * UPDATE touches nothing, so a known key reports 0 rows while real errors still surface);
 * claim() compares and sets the attempt count; the others require `processing` under the
 * caller's attempt number. MySQL reports rows changed, not rows matched, so every write
 * also changes `updated_at` or a state column.
 */
final class CasPay_Wpdb_Inbox_Store implements CasPay_Inbox_Store {

	/** json_encode() flags for stored events: exact floats, readable text. */
	const JSON_FLAGS = JSON_PRESERVE_ZERO_FRACTION | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE;

	/** The events an operator should look at, as a condition on the current time (%d). */
	const NEEDING_ATTENTION = "(state IN ('failed', 'dead') OR (state = 'processing' AND lease_until <= %d))";

	/**
	 * {@inheritDoc}
	 *
	 * @param array    $event        The normalized event.
	 * @param string   $engine       Engine name.
	 * @param int|null $secret_index Which secret verified it.
	 * @param int      $now          Unix seconds.
	 * @param int      $lease_until  Unix seconds.
	 * @throws RuntimeException When the database refuses the write.
	 */
	public function record( array $event, $engine, $secret_index, $now, $lease_until ) {
		global $wpdb;
		$key  = (string) $event['idempotencyKey'];
		$json = wp_json_encode( $event, self::JSON_FLAGS );
		if ( false === $json ) {
			throw new RuntimeException( 'The CasPay event could not be encoded for the inbox.' );
		}
		$table    = CasPay_Schema::inbox_table();
		$inserted = $wpdb->query( // phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery, WordPress.DB.DirectDatabaseQuery.NoCaching
			$wpdb->prepare(
				"INSERT INTO {$table} (event_key, idempotency_key, event_type, state, attempts, lease_until, event_json, engine, secret_index, received_at, updated_at) VALUES (%s, %s, %s, 'processing', 1, %d, %s, %s, %d, %d, %d) ON DUPLICATE KEY UPDATE id = id", // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
				hash( 'sha256', $key ),
				$key,
				mb_substr( (string) $event['type'], 0, 191, 'UTF-8' ),
				$lease_until,
				$json,
				substr( (string) $engine, 0, 10 ),
				null === $secret_index ? 0 : (int) $secret_index,
				$now,
				$now
			)
		);
		if ( false === $inserted ) {
			throw new RuntimeException( 'Could not record the CasPay event: ' . $wpdb->last_error );
		}
		return 1 === (int) $inserted;
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $key Idempotency key.
	 * @throws RuntimeException When the database cannot be read.
	 */
	public function find( $key ) {
		global $wpdb;
		$table = CasPay_Schema::inbox_table();
		$row   = $wpdb->get_row( $wpdb->prepare( "SELECT * FROM {$table} WHERE event_key = %s", hash( 'sha256', (string) $key ) ), ARRAY_A ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared, WordPress.DB.DirectDatabaseQuery.DirectQuery, WordPress.DB.DirectDatabaseQuery.NoCaching
		if ( null === $row && '' !== $wpdb->last_error ) {
			throw new RuntimeException( 'Could not read the CasPay inbox: ' . $wpdb->last_error );
		}
		return null === $row ? null : self::row( $row );
	}

	/**
	 * A row by its id (the admin screen's handle).
	 *
	 * @param int $id Row id.
	 * @return array|null
	 */
	public function find_by_id( $id ) {
		global $wpdb;
		$table = CasPay_Schema::inbox_table();
		$row   = $wpdb->get_row( $wpdb->prepare( "SELECT * FROM {$table} WHERE id = %d", $id ), ARRAY_A ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared, WordPress.DB.DirectDatabaseQuery.DirectQuery, WordPress.DB.DirectDatabaseQuery.NoCaching
		return null === $row ? null : self::row( $row );
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $key         Idempotency key.
	 * @param int    $attempts    The attempt count the caller read.
	 * @param int    $now         Unix seconds.
	 * @param int    $lease_until Unix seconds.
	 */
	public function claim( $key, $attempts, $now, $lease_until ) {
		global $wpdb;
		$table = CasPay_Schema::inbox_table();
		return 1 === (int) $wpdb->query( // phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery, WordPress.DB.DirectDatabaseQuery.NoCaching
			$wpdb->prepare(
				"UPDATE {$table} SET state = 'processing', attempts = attempts + 1, lease_until = %d, updated_at = %d
				WHERE event_key = %s AND attempts = %d
				AND (state = 'received' OR (state = 'failed' AND next_attempt_at <= %d) OR (state = 'processing' AND lease_until <= %d))", // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
				$lease_until,
				$now,
				hash( 'sha256', (string) $key ),
				$attempts,
				$now,
				$now
			)
		);
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $key         Idempotency key.
	 * @param int    $attempt     The attempt.
	 * @param string $listener_id Listener id.
	 * @param int    $now         Unix seconds.
	 */
	public function listener_done( $key, $attempt, $listener_id, $now ) {
		global $wpdb;
		$table = CasPay_Schema::inbox_table();
		$hash  = hash( 'sha256', (string) $key );
		// Only the lease holder writes this column, so reading then writing it is safe; the
		// write still names the attempt, in case the lease was taken over in between.
		$current = $wpdb->get_var( $wpdb->prepare( "SELECT COALESCE(listeners, '{}') FROM {$table} WHERE event_key = %s AND state = 'processing' AND attempts = %d", $hash, $attempt ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared, WordPress.DB.DirectDatabaseQuery.DirectQuery, WordPress.DB.DirectDatabaseQuery.NoCaching
		if ( null === $current ) {
			return false;
		}
		$listeners                 = self::listeners( $current );
		$listeners[ $listener_id ] = (int) $attempt;
		$updated                   = $wpdb->query( // phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery, WordPress.DB.DirectDatabaseQuery.NoCaching
			$wpdb->prepare(
				"UPDATE {$table} SET listeners = %s, updated_at = %d WHERE event_key = %s AND state = 'processing' AND attempts = %d", // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
				wp_json_encode( (object) $listeners, self::JSON_FLAGS ),
				$now,
				$hash,
				$attempt
			)
		);
		return 1 === (int) $updated;
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $key     Idempotency key.
	 * @param int    $attempt The attempt.
	 * @param int    $now     Unix seconds.
	 */
	public function complete( $key, $attempt, $now ) {
		global $wpdb;
		$table = CasPay_Schema::inbox_table();
		return 1 === (int) $wpdb->query( // phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery, WordPress.DB.DirectDatabaseQuery.NoCaching
			$wpdb->prepare(
				"UPDATE {$table} SET state = 'done', lease_until = 0, done_at = %d, updated_at = %d WHERE event_key = %s AND state = 'processing' AND attempts = %d", // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
				$now,
				$now,
				hash( 'sha256', (string) $key ),
				$attempt
			)
		);
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $key             Idempotency key.
	 * @param int    $attempt         The attempt.
	 * @param string $error           What failed.
	 * @param string $state           failed or dead.
	 * @param int    $next_attempt_at Unix seconds.
	 * @param int    $now             Unix seconds.
	 */
	public function fail( $key, $attempt, $error, $state, $next_attempt_at, $now ) {
		global $wpdb;
		$table = CasPay_Schema::inbox_table();
		$dead  = 'dead' === $state;
		return 1 === (int) $wpdb->query( // phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery, WordPress.DB.DirectDatabaseQuery.NoCaching
			$wpdb->prepare(
				"UPDATE {$table} SET state = %s, last_error = %s, next_attempt_at = %d, lease_until = 0, updated_at = %d WHERE event_key = %s AND state = 'processing' AND attempts = %d", // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
				$dead ? 'dead' : 'failed',
				CasPay_Inbox::cut( (string) $error, 65000 ),
				$dead ? 0 : $next_attempt_at,
				$now,
				hash( 'sha256', (string) $key ),
				$attempt
			)
		);
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $key Idempotency key.
	 * @param int    $now Unix seconds.
	 */
	public function retry( $key, $now ) {
		global $wpdb;
		$table = CasPay_Schema::inbox_table();
		return 1 === (int) $wpdb->query( // phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery, WordPress.DB.DirectDatabaseQuery.NoCaching
			$wpdb->prepare(
				"UPDATE {$table} SET state = 'received', attempts_base = attempts, next_attempt_at = 0, updated_at = %d WHERE event_key = %s AND state IN ('failed', 'dead')", // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
				$now,
				hash( 'sha256', (string) $key )
			)
		);
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param int $now   Unix seconds.
	 * @param int $limit At most this many.
	 */
	public function due( $now, $limit ) {
		global $wpdb;
		$table = CasPay_Schema::inbox_table();
		return array_map(
			'strval',
			(array) $wpdb->get_col( // phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery, WordPress.DB.DirectDatabaseQuery.NoCaching
				$wpdb->prepare(
					"SELECT idempotency_key FROM {$table} WHERE state = 'received' OR (state = 'failed' AND next_attempt_at <= %d) OR (state = 'processing' AND lease_until <= %d) ORDER BY id LIMIT %d", // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
					$now,
					$now,
					$limit
				)
			)
		);
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param array $entry The entry.
	 */
	public function log( array $entry ) {
		CasPay_Delivery_Log::write( $entry );
	}

	/**
	 * Events an operator should look at: failed, dead, and runs whose lease expired; the
	 * most recently changed first.
	 *
	 * @param int $now    Unix seconds.
	 * @param int $limit  At most this many.
	 * @param int $offset After skipping this many.
	 * @return array[] Rows.
	 */
	public function needing_attention( $now, $limit, $offset = 0 ) {
		global $wpdb;
		$table = CasPay_Schema::inbox_table();
		$rows  = (array) $wpdb->get_results( // phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery, WordPress.DB.DirectDatabaseQuery.NoCaching
			$wpdb->prepare(
				"SELECT * FROM {$table} WHERE " . self::NEEDING_ATTENTION . ' ORDER BY updated_at DESC, id DESC LIMIT %d OFFSET %d', // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
				$now,
				$limit,
				$offset
			),
			ARRAY_A
		);
		return array_map( array( __CLASS__, 'row' ), $rows );
	}

	/**
	 * How many events needing_attention() would list in all.
	 *
	 * @param int $now Unix seconds.
	 * @return int
	 */
	public function count_needing_attention( $now ) {
		global $wpdb;
		$table = CasPay_Schema::inbox_table();
		return (int) $wpdb->get_var( // phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery, WordPress.DB.DirectDatabaseQuery.NoCaching
			$wpdb->prepare( "SELECT COUNT(*) FROM {$table} WHERE " . self::NEEDING_ATTENTION, $now ) // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		);
	}

	/**
	 * Events per state.
	 *
	 * @return array<string, int>
	 */
	public function counts() {
		global $wpdb;
		$table  = CasPay_Schema::inbox_table();
		$counts = array_fill_keys( array( 'received', 'processing', 'done', 'failed', 'dead' ), 0 );
		foreach ( (array) $wpdb->get_results( "SELECT state, COUNT(*) AS n FROM {$table} GROUP BY state", ARRAY_A ) as $row ) { // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared, WordPress.DB.DirectDatabaseQuery.DirectQuery, WordPress.DB.DirectDatabaseQuery.NoCaching
			$counts[ $row['state'] ] = (int) $row['n'];
		}
		return $counts;
	}

	/**
	 * A database row as CasPay_Inbox_Store::find() describes it.
	 *
	 * @param array $row Columns.
	 * @return array
	 */
	private static function row( array $row ) {
		$event = null;
		if ( null !== $row['event_json'] && '' !== $row['event_json'] ) {
			$decoded = json_decode( $row['event_json'], true );
			$event   = is_array( $decoded ) ? $decoded : null;
		}
		return array(
			'id'              => (int) $row['id'],
			'key'             => (string) $row['idempotency_key'],
			'type'            => (string) $row['event_type'],
			'state'           => (string) $row['state'],
			'attempts'        => (int) $row['attempts'],
			'attempts_base'   => (int) $row['attempts_base'],
			'lease_until'     => (int) $row['lease_until'],
			'next_attempt_at' => (int) $row['next_attempt_at'],
			'last_error'      => null === $row['last_error'] ? null : (string) $row['last_error'],
			'listeners'       => self::listeners( $row['listeners'] ),
			'event'           => $event,
			'engine'          => (string) $row['engine'],
			'secret_index'    => null === $row['secret_index'] ? null : (int) $row['secret_index'],
			'received_at'     => (int) $row['received_at'],
			'updated_at'      => (int) $row['updated_at'],
			'done_at'         => null === $row['done_at'] ? null : (int) $row['done_at'],
		);
	}

	/**
	 * The listeners column: id => attempt.
	 *
	 * @param string|null $json Column value.
	 * @return array<string, int>
	 */
	private static function listeners( $json ) {
		$decoded = null === $json ? null : json_decode( (string) $json, true );
		if ( ! is_array( $decoded ) ) {
			return array();
		}
		$out = array();
		foreach ( $decoded as $id => $attempt ) {
			$out[ (string) $id ] = (int) $attempt;
		}
		return $out;
	}
}
