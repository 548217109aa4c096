<?php
/**
 * The plugin's two tables: the inbox (one row per event) and the delivery log.
 *
 * @package CasPay_Webhooks
 */

defined( 'ABSPATH' ) || exit;

/**
 * Creates and upgrades the tables through dbDelta().
 *
 * - `{prefix}caspay_webhook_inbox`: one row per event, unique on the SHA-256 of its
 *   idempotency key (fixed width, byte-exact whatever the key's length and the table's
 *   collation; the key itself is kept whole beside it), with the state machine's columns
 *   (docs/inbox.md) and the event itself, so the sweep can process it without the body.
 * - `{prefix}caspay_webhook_deliveries`: the log of every delivery, rejected ones
 *   included, and of every run of the sweep and of operators. Rows with a `bucket` count
 *   repeated deliveries (`hits`) instead of adding rows.
 *
 * Schema 1 (plugin 0.1.0) kept both in the deliveries table: the first delivery of each
 * event carried a unique `event_key`. Upgrading copies those rows into the inbox as `done`
 * (0.1.0 ran listeners before answering, and kept no event to run again), then turns the
 * unique index into a plain one.
 */
final class CasPay_Schema {

	/** Bump when the schema changes; maybe_upgrade() then runs install(). */
	const DB_VERSION = '2';

	/** Option holding the installed schema version. */
	const DB_VERSION_OPTION = 'caspay_webhooks_db_version';

	/** Named lock taken while upgrading, so concurrent requests upgrade once. */
	const LOCK = 'caspay_webhooks_schema';

	/**
	 * The inbox table.
	 *
	 * @return string
	 */
	public static function inbox_table() {
		global $wpdb;
		return $wpdb->prefix . 'caspay_webhook_inbox';
	}

	/**
	 * The delivery log table.
	 *
	 * @return string
	 */
	public static function log_table() {
		global $wpdb;
		return $wpdb->prefix . 'caspay_webhook_deliveries';
	}

	/**
	 * Installs on sites that run an older schema (plugin updates do not run activation).
	 */
	public static function maybe_upgrade() {
		if ( self::DB_VERSION !== get_option( self::DB_VERSION_OPTION ) ) {
			self::install();
		}
	}

	/**
	 * Creates or upgrades both tables.
	 */
	public static function install() {
		global $wpdb;
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		$locked = (int) $wpdb->get_var( $wpdb->prepare( 'SELECT GET_LOCK(%s, 10)', self::LOCK ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery, WordPress.DB.DirectDatabaseQuery.NoCaching
		try {
			// Idempotent: a request that waited for the lock finds nothing left to change.
			$charset = $wpdb->get_charset_collate();
			$inbox   = self::inbox_table();
			$log     = self::log_table();
			dbDelta(
				"CREATE TABLE {$inbox} (
  id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  event_key char(64) NOT NULL,
  idempotency_key text NOT NULL,
  event_type varchar(191) NOT NULL DEFAULT '',
  state varchar(20) NOT NULL DEFAULT 'received',
  attempts int(10) unsigned NOT NULL DEFAULT 0,
  attempts_base int(10) unsigned NOT NULL DEFAULT 0,
  lease_until bigint(20) unsigned NOT NULL DEFAULT 0,
  next_attempt_at bigint(20) unsigned NOT NULL DEFAULT 0,
  last_error text NULL,
  listeners text NULL,
  event_json mediumtext NULL,
  engine varchar(10) NOT NULL DEFAULT '',
  secret_index tinyint(3) unsigned NULL DEFAULT NULL,
  received_at bigint(20) unsigned NOT NULL DEFAULT 0,
  updated_at bigint(20) unsigned NOT NULL DEFAULT 0,
  done_at bigint(20) unsigned NULL DEFAULT NULL,
  PRIMARY KEY  (id),
  UNIQUE KEY event_key (event_key),
  KEY state_due (state,next_attempt_at),
  KEY state_lease (state,lease_until)
) {$charset};"
			);
			self::migrate_schema_1();
			dbDelta(
				"CREATE TABLE {$log} (
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
  via varchar(10) NOT NULL DEFAULT 'http',
  attempt int(10) unsigned NULL DEFAULT NULL,
  message text NULL,
  bucket char(64) NULL DEFAULT NULL,
  hits int(10) unsigned NOT NULL DEFAULT 1,
  last_at datetime NULL DEFAULT NULL,
  PRIMARY KEY  (id),
  KEY event_key (event_key),
  UNIQUE KEY bucket (bucket),
  KEY received_at (received_at)
) {$charset};"
			);
			update_option( self::DB_VERSION_OPTION, self::DB_VERSION );
		} finally {
			if ( $locked ) {
				$wpdb->query( $wpdb->prepare( 'SELECT RELEASE_LOCK(%s)', self::LOCK ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery, WordPress.DB.DirectDatabaseQuery.NoCaching
			}
		}
	}

	/**
	 * Schema 1 → 2: each event the 0.1.0 table claimed becomes a `done` inbox row; the log
	 * keeps its rows, and its unique event_key index becomes a plain one (dbDelta adds
	 * indexes but never changes one).
	 */
	private static function migrate_schema_1() {
		global $wpdb;
		$log    = self::log_table();
		$unique = $wpdb->get_var( $wpdb->prepare( 'SELECT NON_UNIQUE FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = %s AND INDEX_NAME = %s LIMIT 1', $log, 'event_key' ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery, WordPress.DB.DirectDatabaseQuery.NoCaching
		if ( '0' !== (string) $unique ) {
			return;
		}
		$inbox = self::inbox_table();
		// TIMESTAMPDIFF, unlike UNIX_TIMESTAMP, reads the UTC datetime without the session's time zone.
		// phpcs:disable WordPress.DB.DirectDatabaseQuery.DirectQuery, WordPress.DB.DirectDatabaseQuery.NoCaching, WordPress.DB.PreparedSQL.InterpolatedNotPrepared, WordPress.DB.DirectDatabaseQuery.SchemaChange
		$wpdb->query(
			"INSERT IGNORE INTO {$inbox} (event_key, idempotency_key, event_type, state, attempts, engine, secret_index, received_at, updated_at, done_at, last_error)
			SELECT event_key, idempotency_key, event_type, 'done', 1, engine, secret_index,
				TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', received_at), TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', received_at), TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', received_at),
				'Recorded by version 0.1.0 of the plugin, before the inbox; migrated as done.'
			FROM {$log} WHERE event_key IS NOT NULL"
		);
		$wpdb->query( "UPDATE {$log} SET status = 'processed' WHERE status = 'received'" );
		$wpdb->query( "ALTER TABLE {$log} DROP INDEX event_key, ADD KEY event_key (event_key)" );
		// phpcs:enable
	}
}
