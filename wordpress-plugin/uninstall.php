<?php
/**
 * Removes everything the plugin stored: options, the inbox and delivery log tables, the
 * schedules and the compiled-module cache (and wp-content/cache when the plugin created
 * it and nothing else uses it).
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
		'caspay_webhooks_created_cache_parent',
	) as $caspay_option ) {
		delete_option( $caspay_option );
	}
	wp_clear_scheduled_hook( 'caspay_webhooks_prune' );
	wp_clear_scheduled_hook( 'caspay_webhooks_sweep' );
	// phpcs:disable WordPress.DB.DirectDatabaseQuery.DirectQuery, WordPress.DB.DirectDatabaseQuery.NoCaching, WordPress.DB.DirectDatabaseQuery.SchemaChange
	$wpdb->query( "DROP TABLE IF EXISTS {$wpdb->prefix}caspay_webhook_inbox" );
	$wpdb->query( "DROP TABLE IF EXISTS {$wpdb->prefix}caspay_webhook_deliveries" );
	// phpcs:enable
}

// Read before the options go: whether this plugin created wp-content/cache.
$caspay_created_parent = (bool) get_site_option( 'caspay_webhooks_created_cache_parent' );

if ( is_multisite() ) {
	// 'number' => 0: every site; get_sites() returns the first 100 by default.
	$caspay_sites = get_sites(
		array(
			'fields' => 'ids',
			'number' => 0,
		)
	);
	foreach ( $caspay_sites as $caspay_site_id ) {
		switch_to_blog( $caspay_site_id );
		caspay_webhooks_uninstall_site();
		restore_current_blog();
	}
	delete_site_option( 'caspay_webhooks_created_cache_parent' );
} else {
	caspay_webhooks_uninstall_site();
}

$caspay_parent = WP_CONTENT_DIR . '/cache';
$caspay_cache  = $caspay_parent . '/caspay-webhooks';
if ( is_dir( $caspay_cache ) && ! is_link( $caspay_cache ) ) {
	foreach ( (array) glob( $caspay_cache . '/{*.cwasm,tmp-*,index.php}', GLOB_BRACE ) as $caspay_file ) {
		if ( is_string( $caspay_file ) && is_file( $caspay_file ) && ! is_link( $caspay_file ) ) {
			unlink( $caspay_file ); // phpcs:ignore WordPress.WP.AlternativeFunctions.unlink_unlink
		}
	}
	@rmdir( $caspay_cache ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_rmdir, WordPress.PHP.NoSilencedErrors.Discouraged -- left in place if something else was put in it.
}
// wp-content/cache is shared by caching plugins: removed only when this plugin created it
// and it is empty now (rmdir() refuses a directory that is not).
if ( $caspay_created_parent && is_dir( $caspay_parent ) && ! is_link( $caspay_parent ) && array() === array_diff( (array) scandir( $caspay_parent ), array( '.', '..' ) ) ) {
	@rmdir( $caspay_parent ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_rmdir, WordPress.PHP.NoSilencedErrors.Discouraged
}
