<?php
/**
 * Command-line helper of scripts/test-wordpress.sh, run inside the test WordPress.
 *
 *   install URL PLUGIN      install WordPress, activate the plugin, configure it
 *   bodies DIR SALT         write delivery bodies (from the shared vectors) to DIR
 *   sign FILE SECRET        print the signature of a file's bytes
 *   reset                   empty the deliveries table and the action log
 *   rows                    print the deliveries table as JSON
 *   admin                   render the settings page and the log as an administrator
 *   uninstall PLUGIN        run the plugin's uninstall.php, print what is left
 *
 * @package CasPay_Webhooks
 */

// phpcs:disable WordPress.WP.AlternativeFunctions, WordPress.DB.DirectDatabaseQuery, WordPress.Security.EscapeOutput

$command = $argv[1] ?? '';

if ( 'sign' === $command ) {
	echo hash_hmac( 'sha256', file_get_contents( $argv[2] ), $argv[3] );
	exit;
}

if ( 'bodies' === $command ) {
	$vectors = json_decode( file_get_contents( getenv( 'CASPAY_VECTORS_DIR' ) . '/parse.json' ), true );
	$by_name = array_column( $vectors['cases'], 'body', 'name' );
	$salt    = $argv[3];
	$pick    = array(
		'pay_a'  => 'payment.completed in shape A',
		'pay_b'  => 'payment.received in shape B',
		'pay_c'  => 'payment.completed in shape C',
		'sub_a'  => 'subscription.created in shape A',
		'sub_b'  => 'subscription.cancelled in shape B',
		'sub_c'  => 'subscription.renewed in shape C',
		'test'   => 'test.webhook in shape B',
	);
	foreach ( $pick as $file => $name ) {
		$body = $by_name[ $name ]['utf8'];
		// Unique per file and per run: event ids in shapes A and B, the merchant id in C.
		$body = str_replace( array( '"evt_9d41e2_', '"MERCH_9d41e2' ), array( '"evt_' . $salt . $file . '_', '"MERCH_' . $salt . $file ), $body );
		file_put_contents( $argv[2] . '/' . $file . '.json', $body );
	}
	$conc = str_replace( '"evt_9d41e2_', '"evt_' . $salt . 'concurrent_', $by_name['payment.completed in shape A']['utf8'] );
	file_put_contents( $argv[2] . '/concurrent.json', $conc );
	file_put_contents( $argv[2] . '/big.json', '{"type":"test.webhook","data":{"pad":"' . str_repeat( 'x', 70000 ) . '"}}' );
	file_put_contents( $argv[2] . '/broken.json', '{"type":"payment.completed",' );
	exit;
}

// Everything below runs inside WordPress.
$_SERVER['HTTP_HOST']   = parse_url( getenv( 'CASPAY_E2E_URL' ), PHP_URL_HOST ) . ':' . parse_url( getenv( 'CASPAY_E2E_URL' ), PHP_URL_PORT );
$_SERVER['REQUEST_URI'] = '/';
if ( 'install' === $command ) {
	define( 'WP_INSTALLING', true );
}
/**
 * No mail server here: wp_install()'s welcome mail goes nowhere (pluggable override).
 *
 * @return bool
 */
function wp_mail() {
	return true;
}
require getenv( 'CASPAY_E2E_DOCROOT' ) . '/wp-load.php';

switch ( $command ) {
	case 'install':
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		require_once ABSPATH . 'wp-admin/includes/plugin.php';
		$result = wp_install( 'CasPay E2E', 'admin', 'admin@example.com', false, '', wp_generate_password( 24 ) );
		update_option( 'siteurl', $argv[2] );
		update_option( 'home', $argv[2] );
		update_option( 'permalink_structure', '/%postname%/' );
		$activated = activate_plugin( $argv[3] );
		if ( is_wp_error( $activated ) ) {
			fwrite( STDERR, 'activation failed: ' . $activated->get_error_message() . "\n" );
			exit( 1 );
		}
		update_option( 'caspay_webhooks_secret', getenv( 'CASPAY_E2E_SECRET' ) );
		update_option( 'caspay_webhooks_max_payload_bytes', 65536 );
		echo CasPay_Plugin::webhook_url();
		break;

	case 'reset':
		$wpdb->query( 'TRUNCATE TABLE ' . CasPay_Delivery_Log::table() );
		@unlink( WP_CONTENT_DIR . '/caspay-actions.log' );
		break;

	case 'rows':
		echo wp_json_encode( $wpdb->get_results( 'SELECT * FROM ' . CasPay_Delivery_Log::table() . ' ORDER BY id', ARRAY_A ) );
		break;

	case 'admin':
		require_once ABSPATH . 'wp-admin/includes/admin.php';
		wp_set_current_user( 1 );
		set_current_screen( 'settings_page_caspay-webhooks' );
		CasPay_Settings::register_settings();
		CasPay_Settings::render();
		$_GET['tab'] = 'deliveries';
		CasPay_Settings::render();
		wp_set_current_user( 0 );
		echo "\n--- as a visitor ---\n";
		add_filter( 'wp_die_handler', static function () {
			return static function ( $message ) {
				echo 'DENIED: ' . ( is_string( $message ) ? $message : '' );
			};
		} );
		CasPay_Settings::render();
		break;

	case 'uninstall':
		define( 'WP_UNINSTALL_PLUGIN', $argv[2] );
		require WP_PLUGIN_DIR . '/' . dirname( $argv[2] ) . '/uninstall.php';
		$left = array(
			'table'   => $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $wpdb->prefix . 'caspay_webhook_deliveries' ) ),
			'options' => $wpdb->get_col( "SELECT option_name FROM {$wpdb->options} WHERE option_name LIKE 'caspay\\_webhooks\\_%'" ),
			'cron'    => wp_next_scheduled( 'caspay_webhooks_prune' ),
		);
		echo wp_json_encode( $left );
		break;

	default:
		fwrite( STDERR, "unknown command $command\n" );
		exit( 2 );
}
