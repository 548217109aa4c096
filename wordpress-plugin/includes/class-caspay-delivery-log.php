<?php
/**
 * The delivery log: what each delivery, sweep run and operator run came to.
 *
 * @package CasPay_Webhooks
 */

defined( 'ABSPATH' ) || exit;

/**
 * One row per delivery and per run, shown under Settings → CasPay Webhooks → Deliveries.
 * Rows that name a `bucket` (rejected deliveries per code and minute, repeated copies of
 * one event per outcome and minute) are counted in `hits` instead of repeated, so a flood of
 * forged or replayed requests adds a few rows a minute at most. The inbox, not this log,
 * decides what is processed: clearing the log forgets nothing that matters.
 */
final class CasPay_Delivery_Log {

	/** Rows older than this are pruned daily; CasPay's retries end after about 13 hours. */
	const RETENTION_DAYS = 90;

	/** Longest message kept, in bytes. */
	const MAX_MESSAGE_BYTES = 4000;

	/**
	 * Appends an entry (see CasPay_Inbox_Store::log()).
	 *
	 * @param array $entry The entry.
	 */
	public static function write( array $entry ) {
		global $wpdb;
		$entry += array(
			'via'          => 'http',
			'status'       => '',
			'http_status'  => 0,
			'code'         => '',
			'type'         => '',
			'key'          => '',
			'engine'       => '',
			'secret_index' => null,
			'attempt'      => null,
			'message'      => null,
			'bucket'       => null,
			'now'          => time(),
		);
		$time    = gmdate( 'Y-m-d H:i:s', (int) $entry['now'] );
		$key     = (string) $entry['key'];
		$columns = array(
			'received_at'     => array( '%s', $time ),
			'last_at'         => array( '%s', $time ),
			// The type of a rejected delivery is the unsigned X-CasPay-Event header: anyone's text.
			'event_type'      => array( '%s', mb_substr( sanitize_text_field( (string) $entry['type'] ), 0, 191, 'UTF-8' ) ),
			'idempotency_key' => array( '%s', mb_substr( $key, 0, 191, 'UTF-8' ) ),
			'event_key'       => array( '%s', '' === $key ? null : hash( 'sha256', $key ) ),
			'status'          => array( '%s', substr( (string) $entry['status'], 0, 20 ) ),
			'http_status'     => array( '%d', (int) $entry['http_status'] ),
			'error_code'      => array( '%s', substr( (string) $entry['code'], 0, 40 ) ),
			'engine'          => array( '%s', substr( (string) $entry['engine'], 0, 10 ) ),
			'secret_index'    => array( '%d', null === $entry['secret_index'] ? null : (int) $entry['secret_index'] ),
			'via'             => array( '%s', substr( (string) $entry['via'], 0, 10 ) ),
			'attempt'         => array( '%d', null === $entry['attempt'] ? null : (int) $entry['attempt'] ),
			'message'         => array( '%s', null === $entry['message'] ? null : CasPay_Inbox::cut( (string) $entry['message'], self::MAX_MESSAGE_BYTES ) ),
			'bucket'          => array( '%s', null === $entry['bucket'] ? null : hash( 'sha256', (string) $entry['bucket'] ) ),
		);
		$values = array();
		foreach ( $columns as $column ) {
			$values[] = null === $column[1] ? 'NULL' : $wpdb->prepare( $column[0], $column[1] ); // phpcs:ignore WordPress.DB.PreparedSQLPlaceholders.UnquotedComplexPlaceholder, WordPress.DB.PreparedSQL.NotPrepared
		}
		$table = CasPay_Schema::log_table();
		// A row without a bucket never collides (a unique index allows any number of NULLs).
		$wpdb->query( "INSERT INTO {$table} (" . implode( ', ', array_keys( $columns ) ) . ') VALUES (' . implode( ', ', $values ) . ') ON DUPLICATE KEY UPDATE hits = hits + 1, last_at = VALUES(last_at)' ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared, WordPress.DB.PreparedSQL.NotPrepared, WordPress.DB.DirectDatabaseQuery.DirectQuery, WordPress.DB.DirectDatabaseQuery.NoCaching
	}

	/**
	 * The most recent rows.
	 *
	 * @param int $per_page Rows per page.
	 * @param int $page     1-based page.
	 * @return array[]
	 */
	public static function recent( $per_page, $page ) {
		global $wpdb;
		$table = CasPay_Schema::log_table();
		return (array) $wpdb->get_results( // phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery, WordPress.DB.DirectDatabaseQuery.NoCaching
			$wpdb->prepare( "SELECT * FROM {$table} ORDER BY id DESC LIMIT %d OFFSET %d", $per_page, ( max( 1, $page ) - 1 ) * $per_page ), // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
			ARRAY_A
		);
	}

	/**
	 * How many rows, and how many deliveries they count.
	 *
	 * @return array{rows: int, deliveries: int}
	 */
	public static function count() {
		global $wpdb;
		$table = CasPay_Schema::log_table();
		$row   = $wpdb->get_row( "SELECT COUNT(*) AS r, COALESCE(SUM(hits), 0) AS h FROM {$table}", ARRAY_A ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared, WordPress.DB.DirectDatabaseQuery.DirectQuery, WordPress.DB.DirectDatabaseQuery.NoCaching
		return array(
			'rows'       => (int) ( $row['r'] ?? 0 ),
			'deliveries' => (int) ( $row['h'] ?? 0 ),
		);
	}

	/**
	 * Deletes the whole log; the inbox stays (it is how repeated deliveries are recognized).
	 *
	 * @return int Rows deleted.
	 */
	public static function clear() {
		global $wpdb;
		$table = CasPay_Schema::log_table();
		return (int) $wpdb->query( "DELETE FROM {$table}" ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared, WordPress.DB.DirectDatabaseQuery.DirectQuery, WordPress.DB.DirectDatabaseQuery.NoCaching
	}

	/**
	 * Deletes log rows and done events past the retention period (daily cron). Failed and
	 * dead events stay until an operator deals with them.
	 */
	public static function prune() {
		global $wpdb;
		$log    = CasPay_Schema::log_table();
		$inbox  = CasPay_Schema::inbox_table();
		$cutoff = time() - self::RETENTION_DAYS * DAY_IN_SECONDS;
		// phpcs:disable WordPress.DB.PreparedSQL.InterpolatedNotPrepared, WordPress.DB.DirectDatabaseQuery.DirectQuery, WordPress.DB.DirectDatabaseQuery.NoCaching
		$wpdb->query( $wpdb->prepare( "DELETE FROM {$log} WHERE COALESCE(last_at, received_at) < %s", gmdate( 'Y-m-d H:i:s', $cutoff ) ) );
		$wpdb->query( $wpdb->prepare( "DELETE FROM {$inbox} WHERE state = 'done' AND done_at < %d", $cutoff ) );
		// phpcs:enable
	}
}
