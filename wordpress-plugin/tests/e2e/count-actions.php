<?php
/**
 * Must-use plugin of the end-to-end test: appends one line per fired caspay_webhook_*
 * action ("hook idempotencyKey") to wp-content/caspay-actions.log, under an exclusive lock
 * because concurrent requests append at the same time.
 *
 * @package CasPay_Webhooks
 */

add_action(
	'all',
	static function ( $hook, ...$args ) {
		if ( 0 === strpos( (string) $hook, 'caspay_webhook_' ) && isset( $args[0]['idempotencyKey'] ) ) {
			file_put_contents( WP_CONTENT_DIR . '/caspay-actions.log', $hook . ' ' . $args[0]['idempotencyKey'] . "\n", FILE_APPEND | LOCK_EX );
		}
	},
	10,
	2
);
