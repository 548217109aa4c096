<?php
/**
 * Removes everything the plugin stored: options, the deliveries table, the schedule and
 * the compiled-module cache.
 *
 * @package CasPay_Webhooks
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

/**
 * Cleans one site.
 */
function caspay_webhooks_uninstall_site() {
	global $wpdb;
	foreach ( array(
		'caspay_webhooks_secret',
		'caspay_webhooks_previous_secret',
		'caspay_webhooks_tolerance',
		'caspay_webhooks_max_payload_bytes',
		'caspay_webhooks_engine',
		'caspay_webhooks_db_version',
	) as $caspay_option ) {
		delete_option( $caspay_option );
	}
	wp_clear_scheduled_hook( 'caspay_webhooks_prune' );
	$wpdb->query( "DROP TABLE IF EXISTS {$wpdb->prefix}caspay_webhook_deliveries" ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery, WordPress.DB.DirectDatabaseQuery.NoCaching, WordPress.DB.DirectDatabaseQuery.SchemaChange
}

if ( is_multisite() ) {
	foreach ( get_sites( array( 'fields' => 'ids' ) ) as $caspay_site_id ) {
		switch_to_blog( $caspay_site_id );
		caspay_webhooks_uninstall_site();
		restore_current_blog();
	}
} else {
	caspay_webhooks_uninstall_site();
}

$caspay_cache = WP_CONTENT_DIR . '/cache/caspay-webhooks';
if ( is_dir( $caspay_cache ) && ! is_link( $caspay_cache ) ) {
	foreach ( (array) glob( $caspay_cache . '/{*.cwasm,tmp-*,index.php}', GLOB_BRACE ) as $caspay_file ) {
		if ( is_string( $caspay_file ) && is_file( $caspay_file ) && ! is_link( $caspay_file ) ) {
			unlink( $caspay_file ); // phpcs:ignore WordPress.WP.AlternativeFunctions.unlink_unlink
		}
	}
	rmdir( $caspay_cache ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_rmdir
}
