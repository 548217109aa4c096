<?php
/**
 * The deliveries table: deduplication and the log shown in the admin.
 *
 * @package CasPay_Webhooks
 */

defined( 'ABSPATH' ) || exit;

/**
 * One row per delivery. The first verified delivery of an event carries `event_key`, the
 * SHA-256 of its idempotency key, under a UNIQUE index: the database, not PHP, decides
 * which of several concurrent deliveries wins, so an event is processed exactly once.
 * Duplicates and rejections are logged with `event_key` NULL (a unique index allows any
 * number of NULLs). Hashing the key gives a fixed-width, byte-exact (case-sensitive)
 * unique column whatever the length and collation of the event id.
 */
final class CasPay_Delivery_Log implements CasPay_Delivery_Store {

	/** Bump when the schema changes; dbDelta() then upgrades the table. */
	const DB_VERSION = '1';

	/** Option holding the installed schema version. */
	const DB_VERSION_OPTION = 'caspay_webhooks_db_version';

	/** Rows older than this are pruned daily; CasPay's retries end after about 13 hours. */
	const RETENTION_DAYS = 90;

	/**
	 * The table name, with the site's prefix.
	 *
	 * @return string
	 */
	public static function table() {
		global $wpdb;
		return $wpdb->prefix . 'caspay_webhook_deliveries';
	}

	/**
	 * Creates or upgrades the table.
	 */
	public static function install() {
		global $wpdb;
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		$table   = self::table();
		$charset = $wpdb->get_charset_collate();
		dbDelta(
			"CREATE TABLE {$table} (
  id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  received_at datetime NOT NULL,
  event_type varchar(191) NOT NULL DEFAULT '',
  idempotency_key varchar(191) NOT NULL DEFAULT '',
  event_key char(64) NULL DEFAULT NULL,
  status varchar(20) NOT NULL,
  http_status smallint(5) unsigned NOT NULL,
  error_code varchar(40) NOT NULL DEFAULT '',
  engine varchar(10) NOT NULL DEFAULT '',
  secret_index tinyint(3) unsigned NULL DEFAULT NULL,
  PRIMARY KEY  (id),
  UNIQUE KEY event_key (event_key),
  KEY received_at (received_at)
) {$charset};"
		);
		update_option( self::DB_VERSION_OPTION, self::DB_VERSION );
	}

	/**
	 * Installs on sites that run an older schema (or were added after activation).
	 */
	public static function maybe_upgrade() {
		if ( self::DB_VERSION !== get_option( self::DB_VERSION_OPTION ) ) {
			self::install();
		}
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param array  $event        The normalized event.
	 * @param string $engine       Engine name.
	 * @param int    $secret_index Which secret matched.
	 * @throws RuntimeException When the database refuses the write.
	 */
	public function claim( array $event, $engine, $secret_index ) {
		global $wpdb;
		$table = self::table();
		$key   = (string) $event['idempotencyKey'];
		// ON DUPLICATE KEY UPDATE touches nothing, so a duplicate reports 0 affected rows,
		// while real errors (unlike with INSERT IGNORE) still surface.
		$inserted = $wpdb->query( // phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery, WordPress.DB.DirectDatabaseQuery.NoCaching
			$wpdb->prepare(
				"INSERT INTO {$table} (received_at, event_type, idempotency_key, event_key, status, http_status, error_code, engine, secret_index) VALUES (%s, %s, %s, %s, 'received', 200, '', %s, %d) ON DUPLICATE KEY UPDATE id = id", // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
				current_time( 'mysql', true ),
				self::clip( (string) $event['type'] ),
				self::clip( $key ),
				hash( 'sha256', $key ),
				$engine,
				$secret_index
			)
		);
		if ( false === $inserted ) {
			throw new RuntimeException( 'Could not record the CasPay delivery: ' . $wpdb->last_error );
		}
		if ( 1 === (int) $inserted ) {
			return true;
		}
		$this->log( 'duplicate', 200, 'duplicate_event', (string) $event['type'], $key, $engine, $secret_index );
		return false;
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param array  $event  The normalized event.
	 * @param string $reason Why processing failed.
	 */
	public function release( array $event, $reason ) {
		global $wpdb;
		$wpdb->update( // phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery, WordPress.DB.DirectDatabaseQuery.NoCaching
			self::table(),
			array(
				'event_key'   => null,
				'status'      => 'failed',
				'http_status' => 500,
				'error_code'  => 'internal_error',
			),
			array( 'event_key' => hash( 'sha256', (string) $event['idempotencyKey'] ) ),
			array( null, '%s', '%d', '%s' ),
			array( '%s' )
		);
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param int    $http_status  Status answered.
	 * @param string $code         Stable error code.
	 * @param string $claimed_type The unsigned X-CasPay-Event header.
	 * @param string $engine       Engine name.
	 */
	public function reject( $http_status, $code, $claimed_type, $engine ) {
		$this->log( 'rejected', $http_status, $code, sanitize_text_field( $claimed_type ), '', $engine, null );
	}

	/**
	 * Inserts a row without an event_key.
	 *
	 * @param string   $status       received, duplicate, rejected or failed.
	 * @param int      $http_status  Status answered.
	 * @param string   $code         Error code or ''.
	 * @param string   $type         Event type.
	 * @param string   $key          Idempotency key or ''.
	 * @param string   $engine       Engine name.
	 * @param int|null $secret_index Matching secret, if verified.
	 */
	private function log( $status, $http_status, $code, $type, $key, $engine, $secret_index ) {
		global $wpdb;
		$row     = array(
			'received_at'     => current_time( 'mysql', true ),
			'event_type'      => self::clip( $type ),
			'idempotency_key' => self::clip( $key ),
			'status'          => $status,
			'http_status'     => (int) $http_status,
			'error_code'      => substr( $code, 0, 40 ),
			'engine'          => substr( $engine, 0, 10 ),
		);
		$formats = array( '%s', '%s', '%s', '%s', '%d', '%s', '%s' );
		if ( null !== $secret_index ) {
			$row['secret_index'] = (int) $secret_index;
			$formats[]           = '%d';
		}
		$wpdb->insert( self::table(), $row, $formats ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery
	}

	/**
	 * Text cut to the column width in characters (never inside a UTF-8 sequence).
	 *
	 * @param string $text Text.
	 * @return string
	 */
	private static function clip( $text ) {
		return mb_substr( $text, 0, 191, 'UTF-8' );
	}

	/**
	 * The most recent deliveries.
	 *
	 * @param int $per_page Rows per page.
	 * @param int $page     1-based page.
	 * @return array[]
	 */
	public static function recent( $per_page, $page ) {
		global $wpdb;
		$table = self::table();
		return (array) $wpdb->get_results( // phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery, WordPress.DB.DirectDatabaseQuery.NoCaching
			$wpdb->prepare( "SELECT * FROM {$table} ORDER BY id DESC LIMIT %d OFFSET %d", $per_page, ( max( 1, $page ) - 1 ) * $per_page ), // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
			ARRAY_A
		);
	}

	/**
	 * How many deliveries are logged.
	 *
	 * @return int
	 */
	public static function count() {
		global $wpdb;
		$table = self::table();
		return (int) $wpdb->get_var( "SELECT COUNT(*) FROM {$table}" ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared, WordPress.DB.DirectDatabaseQuery.DirectQuery, WordPress.DB.DirectDatabaseQuery.NoCaching
	}

	/**
	 * Deletes logged rejections and duplicates; received events stay, they are the
	 * deduplication memory.
	 *
	 * @return int Rows deleted.
	 */
	public static function clear_log() {
		global $wpdb;
		$table = self::table();
		return (int) $wpdb->query( "DELETE FROM {$table} WHERE event_key IS NULL" ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared, WordPress.DB.DirectDatabaseQuery.DirectQuery, WordPress.DB.DirectDatabaseQuery.NoCaching
	}

	/**
	 * Deletes rows past the retention period (daily cron).
	 */
	public static function prune() {
		global $wpdb;
		$table = self::table();
		$wpdb->query( // phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery, WordPress.DB.DirectDatabaseQuery.NoCaching
			$wpdb->prepare( "DELETE FROM {$table} WHERE received_at < %s", gmdate( 'Y-m-d H:i:s', time() - self::RETENTION_DAYS * DAY_IN_SECONDS ) ) // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		);
	}
}
