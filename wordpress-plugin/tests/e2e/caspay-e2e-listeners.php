<?php
/**
 * Must-use plugin of the end-to-end and load tests: the site's listeners.
 *
 * - A counter on `caspay_webhook_event` and on every type action appends one line per run
 *   ("hook<TAB>idempotency key<TAB>attempt<TAB>payment or subscription id") to
 *   wp-content/caspay-actions.log, under an exclusive lock (concurrent requests append at
 *   the same moment). It runs last, so a run killed before it leaves no line: the log
 *   counts processings.
 * - A listener that misbehaves when the event asks for it, through `test_behavior` in the
 *   event's data (shape C) or its payment metadata (shapes A and B):
 *     fail-twice   throws on attempts 1 and 2
 *     fatal-once   exhausts PHP's memory on attempt 1 (a fatal error, not an exception)
 *     hang         on attempt 1, writes its pid to wp-content/caspay-e2e.pid and sleeps
 *                  (the test kills it with SIGKILL)
 *     crash        on attempt 1, SIGKILLs its own PHP worker (the load test's kills)
 *     sleep:N      on attempt 1, sleeps N seconds, then succeeds
 *     broken       throws while the option caspay_e2e_broken is set
 *   Each call appends "behavior<TAB>key<TAB>attempt" to wp-content/caspay-behavior.log.
 * - Options shorten the inbox's timings for the test: caspay_e2e_lease (seconds),
 *   caspay_e2e_backoff (seconds), caspay_e2e_max_attempts.
 *
 * @package CasPay_Webhooks
 */

// phpcs:disable WordPress.WP.AlternativeFunctions

/**
 * Appends a line to a file under wp-content, under an exclusive lock.
 *
 * @param string $file File name.
 * @param array  $cols Columns.
 */
function caspay_e2e_append( $file, array $cols ) {
	file_put_contents( WP_CONTENT_DIR . '/' . $file, implode( "\t", $cols ) . "\n", FILE_APPEND | LOCK_EX );
}

/**
 * The test behavior an event asks for.
 *
 * @param array $event The event.
 * @return string
 */
function caspay_e2e_behavior( array $event ) {
	if ( isset( $event['data']['test_behavior'] ) && is_string( $event['data']['test_behavior'] ) ) {
		return $event['data']['test_behavior'];
	}
	if ( isset( $event['payment']['metadata']['test_behavior'] ) && is_string( $event['payment']['metadata']['test_behavior'] ) ) {
		return $event['payment']['metadata']['test_behavior'];
	}
	return '';
}

add_action(
	'caspay_webhook_event',
	static function ( array $event, $attempt, $key ) {
		$behavior = caspay_e2e_behavior( $event );
		if ( '' === $behavior ) {
			return;
		}
		caspay_e2e_append( 'caspay-behavior.log', array( $behavior, $key, $attempt ) );
		if ( 'fail-twice' === $behavior && $attempt < 3 ) {
			throw new RuntimeException( 'e2e flaky listener, attempt ' . $attempt );
		}
		if ( 'broken' === $behavior && get_option( 'caspay_e2e_broken' ) ) {
			throw new LogicException( 'e2e listener broken until fixed' );
		}
		if ( 1 !== $attempt ) {
			return;
		}
		if ( 'fatal-once' === $behavior ) {
			ini_set( 'memory_limit', (string) ( memory_get_usage() + 8 * 1024 * 1024 ) ); // phpcs:ignore WordPress.PHP.IniSet.memory_limit_Disallowed
			$hog = array();
			while ( true ) {
				$hog[] = str_repeat( 'x', 1024 * 1024 );
			}
		}
		if ( 'hang' === $behavior ) {
			file_put_contents( WP_CONTENT_DIR . '/caspay-e2e.pid', (string) getmypid() );
			sleep( 60 );
		}
		if ( 'crash' === $behavior ) {
			usleep( 50000 );
			posix_kill( getmypid(), 9 );
			sleep( 5 );
		}
		if ( 0 === strpos( $behavior, 'sleep:' ) ) {
			usleep( (int) ( 1000000 * (float) substr( $behavior, 6 ) ) );
		}
	},
	5,
	3
);

/**
 * The counter: one line per run of each action, written when the run gets to it.
 *
 * @param array  $event   The event.
 * @param int    $attempt The attempt.
 * @param string $key     The idempotency key.
 */
function caspay_e2e_count( array $event, $attempt, $key ) {
	$id = '';
	if ( isset( $event['payment']['id'] ) ) {
		$id = $event['payment']['id'];
	} elseif ( isset( $event['subscription']['id'] ) ) {
		$id = $event['subscription']['id'];
	}
	caspay_e2e_append( 'caspay-actions.log', array( current_filter(), $key, $attempt, $id ) );
}

add_action( 'caspay_webhook_event', 'caspay_e2e_count', 100, 3 );
add_action(
	'plugins_loaded',
	static function () {
		// Must-use plugins load before the plugin and its class autoloader (and before it
		// is even active, while the test installs WordPress).
		if ( ! class_exists( 'CasPay_Plugin' ) ) {
			return;
		}
		foreach ( array_unique( array_merge( array_keys( CasPay_Event_Kinds::KINDS ), array_values( CasPay_Event_Kinds::KINDS ), array( 'refund.created' ) ) ) as $type ) {
			add_action( 'caspay_webhook_' . CasPay_Plugin::action_suffix( $type ), 'caspay_e2e_count', 100, 3 );
		}
	}
);

foreach ( array(
	'caspay_webhooks_lease_seconds' => 'caspay_e2e_lease',
	'caspay_webhooks_retry_delay'   => 'caspay_e2e_backoff',
	'caspay_webhooks_max_attempts'  => 'caspay_e2e_max_attempts',
) as $caspay_e2e_filter => $caspay_e2e_option ) {
	add_filter(
		$caspay_e2e_filter,
		static function ( $value ) use ( $caspay_e2e_option ) {
			$override = get_option( $caspay_e2e_option );
			return false === $override ? $value : (int) $override;
		}
	);
}
