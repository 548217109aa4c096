<?php
/**
 * Command-line helper of scripts/test-wordpress.sh, run inside the test WordPress.
 *
 *   sign FILE SECRET        print the signature of a file's bytes
 *   bodies DIR SALT         write delivery bodies (from the shared vectors) to DIR
 *   install URL PLUGIN      install WordPress, activate the plugin, configure it
 *   reset                   empty the inbox, the delivery log and the listeners' logs
 *   rows                    print {"inbox": [...], "log": [...]} as JSON
 *   option NAME [VALUE]     set an option (delete it without VALUE)
 *   dead-events N           replace the events e2e-dead-* by N dead ones, e2e-dead-1 the
 *                           least recently changed
 *   sweep                   run the WP-Cron sweep's action now
 *   cron-due                make the sweep due now (for a request to wp-cron.php)
 *   cron                    print the schedules of the plugin's hooks
 *   reactivate PLUGIN       deactivate then activate the plugin, print its schedules each time
 *   store-contract          run the inbox store contract against the real table
 *   legacy-upgrade          rebuild the 0.1.0 table with rows, upgrade it, print the result
 *   login                   print a Cookie header of a logged-in administrator
 *   login-subscriber ACTION print a Cookie header of a logged-in subscriber (created on first
 *                           use), then on a second line their nonce for ACTION
 *   admin                   render the settings page and the log as an administrator
 *   uninstall PLUGIN        run the plugin's uninstall.php, print what is left
 *
 * On the multisite scenario's network, with CASPAY_E2E_NETWORK set (wp-config.php reads
 * it): `single` for network-install, `multisite` for the others.
 *
 *   network-install            install its main site and the network tables
 *   network-sites PATH...      create path-based sites, print their ids
 *   load PATH                  load the site at PATH (WordPress's bootstrap only), print its id
 *   network-activate PLUGIN    activate the plugin network-wide
 *   network-deactivate PLUGIN  deactivate it network-wide
 *   network-uninstall PLUGIN   run its uninstall.php as deleting it does (uninstall_plugin())
 *   network-state PLUGIN       print, per site, the plugin's schedules, tables and options
 *
 * @package CasPay_Webhooks
 */

// phpcs:disable WordPress.WP.AlternativeFunctions, WordPress.DB.DirectDatabaseQuery, WordPress.Security.EscapeOutput, WordPress.DB.PreparedSQL.InterpolatedNotPrepared

$command = $argv[1] ?? '';

if ( 'sign' === $command ) {
	echo hash_hmac( 'sha256', file_get_contents( $argv[2] ), $argv[3] );
	exit;
}

if ( 'bodies' === $command ) {
	require dirname( __DIR__ ) . '/phpunit/class-caspay-test-reserialize.php';
	$vectors = json_decode( file_get_contents( getenv( 'CASPAY_VECTORS_DIR' ) . '/parse.json' ), true );
	$by_name = array_column( $vectors['cases'], 'body', 'name' );
	$dir     = $argv[2];
	$salt    = $argv[3];
	$pick    = array(
		'pay_a' => 'payment.completed in shape A',
		'pay_b' => 'payment.received in shape B',
		'pay_c' => 'payment.completed in shape C',
		'sub_a' => 'subscription.created in shape A',
		'sub_b' => 'subscription.cancelled in shape B',
		'sub_c' => 'subscription.renewed in shape C',
		'test'  => 'test.webhook in shape B',
	);
	foreach ( $pick as $file => $name ) {
		$body = $by_name[ $name ]['utf8'];
		// Unique per file and per run: event ids in shapes A and B, the merchant id in C.
		$body = str_replace( array( '"evt_9d41e2_', '"MERCH_9d41e2' ), array( '"evt_' . $salt . $file . '_', '"MERCH_' . $salt . $file ), $body );
		file_put_contents( "$dir/$file.json", $body );
	}
	$conc = str_replace( '"evt_9d41e2_', '"evt_' . $salt . 'concurrent_', $by_name['payment.completed in shape A']['utf8'] );
	file_put_contents( "$dir/concurrent.json", $conc );
	file_put_contents( "$dir/big.json", '{"type":"test.webhook","data":{"pad":"' . str_repeat( 'x', 70000 ) . '"}}' );
	file_put_contents( "$dir/broken.json", '{"type":"payment.completed",' );
	// One shape-C event as sent and as CasPay re-sends it: four byte strings, one event.
	$reser = str_replace( '"MERCH_9d41e2', '"MERCH_' . $salt . 'reser', $by_name['subscription.renewed in shape C']['utf8'] );
	foreach ( CasPay_Test_Reserialize::all( $reser ) as $variant => $bytes ) {
		file_put_contents( "$dir/reser-$variant.json", $bytes );
	}
	// Shape-C payments whose test listener misbehaves (caspay-e2e-listeners.php).
	$base = json_decode( $by_name['payment.completed in shape C']['utf8'] );
	foreach ( array( 'fail-twice', 'fatal-once', 'hang', 'sleep:3', 'broken' ) as $behavior ) {
		$event                      = clone $base;
		$event->data                = clone $base->data;
		$event->data->payment_id    = 'pay_' . $salt . '_' . str_replace( ':', '', $behavior );
		$event->data->test_behavior = $behavior;
		file_put_contents( "$dir/fault-" . str_replace( ':', '', $behavior ) . '.json', json_encode( $event, JSON_UNESCAPED_SLASHES ) );
	}
	// An event 0.1.0 recorded (see legacy-upgrade): after the upgrade it is a duplicate.
	file_put_contents( "$dir/legacy.json", str_replace( '"evt_9d41e2_payment_completed_a"', '"evt_legacy_1"', $by_name['payment.completed in shape A']['utf8'] ) );
	exit;
}

// Everything below runs inside WordPress.
$caspay_e2e_url         = parse_url( getenv( 'CASPAY_E2E_URL' ) );
$_SERVER['HTTP_HOST']   = $caspay_e2e_url['host'] . ( isset( $caspay_e2e_url['port'] ) ? ':' . $caspay_e2e_url['port'] : '' );
$_SERVER['REMOTE_ADDR'] = '127.0.0.1';
// On a network, the path picks the site WordPress loads.
$_SERVER['REQUEST_URI'] = 'load' === $command ? $argv[2] : '/';
if ( 'install' === $command || 'network-install' === $command ) {
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

/**
 * Rows of a table as JSON-ready arrays.
 *
 * @param string $table Table.
 * @return array
 */
function caspay_e2e_rows( $table ) {
	global $wpdb;
	return (array) $wpdb->get_results( "SELECT * FROM {$table} ORDER BY id", ARRAY_A );
}

/**
 * The cookies that log `$user_id` in, in a session of their own, for wp-admin.
 *
 * @param int $user_id User.
 * @return array<string, string> Cookie name => value.
 */
function caspay_e2e_cookies( $user_id ) {
	$expiration = time() + DAY_IN_SECONDS;
	$token      = WP_Session_Tokens::get_instance( $user_id )->create( $expiration );
	return array(
		AUTH_COOKIE      => wp_generate_auth_cookie( $user_id, $expiration, 'auth', $token ),
		LOGGED_IN_COOKIE => wp_generate_auth_cookie( $user_id, $expiration, 'logged_in', $token ),
	);
}

/**
 * A Cookie header of `$cookies`.
 *
 * @param array<string, string> $cookies Cookie name => value.
 * @return string
 */
function caspay_e2e_cookie_header( array $cookies ) {
	$pairs = array();
	foreach ( $cookies as $name => $value ) {
		$pairs[] = $name . '=' . rawurlencode( $value );
	}
	return implode( '; ', $pairs );
}

switch ( $command ) {
	case 'install':
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		require_once ABSPATH . 'wp-admin/includes/plugin.php';
		wp_install( 'CasPay E2E', 'admin', 'admin@example.com', false, '', wp_generate_password( 24 ) );
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
		$wpdb->query( 'TRUNCATE TABLE ' . CasPay_Schema::inbox_table() );
		$wpdb->query( 'TRUNCATE TABLE ' . CasPay_Schema::log_table() );
		foreach ( array( 'caspay-actions.log', 'caspay-behavior.log', 'caspay-e2e.pid' ) as $file ) {
			@unlink( WP_CONTENT_DIR . '/' . $file );
		}
		break;

	case 'dead-events':
		$table = CasPay_Schema::inbox_table();
		$wpdb->query( $wpdb->prepare( "DELETE FROM {$table} WHERE idempotency_key LIKE %s", 'e2e-dead-%' ) );
		for ( $i = 1; $i <= (int) $argv[2]; $i++ ) {
			$wpdb->insert(
				$table,
				array(
					'event_key'       => hash( 'sha256', "e2e-dead-{$i}" ),
					'idempotency_key' => "e2e-dead-{$i}",
					'event_type'      => 'payment.completed',
					'state'           => 'dead',
					'attempts'        => 2,
					'last_error'      => 'e2e',
					'received_at'     => $i,
					'updated_at'      => $i,
				)
			);
		}
		break;

	case 'rows':
		echo wp_json_encode(
			array(
				'inbox' => caspay_e2e_rows( CasPay_Schema::inbox_table() ),
				'log'   => caspay_e2e_rows( CasPay_Schema::log_table() ),
			)
		);
		break;

	case 'option':
		if ( isset( $argv[3] ) ) {
			update_option( $argv[2], $argv[3] );
		} else {
			delete_option( $argv[2] );
		}
		break;

	case 'sweep':
		do_action( CasPay_Plugin::SWEEP_HOOK );
		break;

	case 'cron-due':
		wp_clear_scheduled_hook( CasPay_Plugin::SWEEP_HOOK );
		wp_schedule_event( time() - 1, CasPay_Plugin::SWEEP_SCHEDULE, CasPay_Plugin::SWEEP_HOOK );
		delete_transient( 'doing_cron' );
		break;

	case 'cron':
		echo wp_json_encode(
			array(
				'sweep'          => wp_next_scheduled( CasPay_Plugin::SWEEP_HOOK ),
				'sweep_schedule' => wp_get_schedule( CasPay_Plugin::SWEEP_HOOK ),
				'interval'       => wp_get_schedules()[ CasPay_Plugin::SWEEP_SCHEDULE ]['interval'] ?? null,
				'prune'          => wp_next_scheduled( CasPay_Plugin::PRUNE_HOOK ),
			)
		);
		break;

	case 'reactivate':
		require_once ABSPATH . 'wp-admin/includes/plugin.php';
		$hooks = array( CasPay_Plugin::SWEEP_HOOK, CasPay_Plugin::PRUNE_HOOK );
		deactivate_plugins( $argv[2] );
		$off = array_map( 'wp_next_scheduled', $hooks );
		activate_plugin( $argv[2] );
		echo wp_json_encode(
			array(
				'deactivated' => $off,
				'activated'   => array_map( 'boolval', array_map( 'wp_next_scheduled', $hooks ) ),
			)
		);
		break;

	case 'store-contract':
		require dirname( __DIR__ ) . '/phpunit/class-caspay-inbox-store-contract.php';
		$prefix   = 'contract_' . bin2hex( random_bytes( 4 ) ) . '_';
		$failures = CasPay_Inbox_Store_Contract::run( new CasPay_Wpdb_Inbox_Store(), $prefix );
		$wpdb->query( $wpdb->prepare( 'DELETE FROM ' . CasPay_Schema::inbox_table() . ' WHERE idempotency_key LIKE %s', $wpdb->esc_like( $prefix ) . '%' ) );
		echo wp_json_encode( $failures );
		break;

	case 'legacy-upgrade':
		// The table as plugin 0.1.0 created it, with what it held: two claimed events, a
		// duplicate and a rejection.
		$log   = CasPay_Schema::log_table();
		$inbox = CasPay_Schema::inbox_table();
		$wpdb->query( "DROP TABLE IF EXISTS {$inbox}" );
		$wpdb->query( "DROP TABLE IF EXISTS {$log}" );
		$wpdb->query(
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
  PRIMARY KEY  (id),
  UNIQUE KEY event_key (event_key),
  KEY received_at (received_at)
) " . $wpdb->get_charset_collate()
		);
		$c_key = 'sha256:' . str_repeat( 'ab', 32 );
		foreach ( array(
			array( '2026-11-27 10:00:00', 'payment.completed', 'evt_legacy_1', hash( 'sha256', 'evt_legacy_1' ), 'received', 200, '', 'php', 0 ),
			array( '2026-11-27 10:00:05', 'payment.completed', 'evt_legacy_1', null, 'duplicate', 200, 'duplicate_event', 'php', 0 ),
			array( '2026-11-27 10:01:00', 'subscription.renewed', $c_key, hash( 'sha256', $c_key ), 'received', 200, '', 'wasm', 1 ),
			array( '2026-11-27 10:02:00', 'test.webhook', '', null, 'rejected', 401, 'invalid_signature_format', 'php', null ),
		) as $row ) {
			$wpdb->insert( $log, array_combine( array( 'received_at', 'event_type', 'idempotency_key', 'event_key', 'status', 'http_status', 'error_code', 'engine', 'secret_index' ), $row ) );
		}
		update_option( CasPay_Schema::DB_VERSION_OPTION, '1' );
		wp_clear_scheduled_hook( CasPay_Plugin::SWEEP_HOOK );
		CasPay_Plugin::upgrade();
		$index = $wpdb->get_results( $wpdb->prepare( 'SELECT INDEX_NAME, NON_UNIQUE FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = %s AND COLUMN_NAME IN (%s, %s)', $log, 'event_key', 'bucket' ), ARRAY_A );
		echo wp_json_encode(
			array(
				'inbox'      => array_map(
					static function ( $r ) {
						return array( $r['idempotency_key'], $r['state'], (int) $r['received_at'], $r['event_type'] );
					},
					caspay_e2e_rows( $inbox )
				),
				'log'        => array_column( caspay_e2e_rows( $log ), 'status' ),
				'indexes'    => $index,
				'db_version' => get_option( CasPay_Schema::DB_VERSION_OPTION ),
				'sweep'      => (bool) wp_next_scheduled( CasPay_Plugin::SWEEP_HOOK ),
			)
		);
		break;

	case 'login':
		echo caspay_e2e_cookie_header( caspay_e2e_cookies( 1 ) );
		break;

	case 'login-subscriber':
		// A logged-in user with a valid nonce, so that only the capability check can refuse.
		$subscriber = get_user_by( 'login', 'e2e-subscriber' );
		$user_id    = $subscriber ? $subscriber->ID : wp_insert_user(
			array(
				'user_login' => 'e2e-subscriber',
				'user_pass'  => wp_generate_password(),
				'role'       => 'subscriber',
			)
		);
		$cookies = caspay_e2e_cookies( $user_id );
		// wp_create_nonce() ties the nonce to the session of the logged-in cookie.
		wp_set_current_user( $user_id );
		$_COOKIE[ LOGGED_IN_COOKIE ] = $cookies[ LOGGED_IN_COOKIE ];
		echo caspay_e2e_cookie_header( $cookies ), "\n", wp_create_nonce( $argv[2] ), "\n";
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
		add_filter(
			'wp_die_handler',
			static function () {
				return static function ( $message ) {
					echo 'DENIED: ' . ( is_string( $message ) ? $message : '' );
				};
			}
		);
		CasPay_Settings::render();
		break;

	case 'uninstall':
		$cache = WP_CONTENT_DIR . '/cache/caspay-webhooks';
		$had   = array(
			'cache_dir'    => is_dir( $cache ),
			'cache_parent' => (bool) get_site_option( 'caspay_webhooks_created_cache_parent' ),
		);
		define( 'WP_UNINSTALL_PLUGIN', $argv[2] );
		require WP_PLUGIN_DIR . '/' . dirname( $argv[2] ) . '/uninstall.php';
		$tables = array();
		foreach ( array( 'caspay_webhook_inbox', 'caspay_webhook_deliveries' ) as $table ) {
			if ( $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $wpdb->prefix . $table ) ) ) {
				$tables[] = $table;
			}
		}
		echo wp_json_encode(
			array(
				'before'  => $had,
				'tables'  => $tables,
				'options' => $wpdb->get_col( "SELECT option_name FROM {$wpdb->options} WHERE option_name LIKE 'caspay\\_webhooks\\_%'" ),
				'cron'    => array( wp_next_scheduled( 'caspay_webhooks_prune' ), wp_next_scheduled( 'caspay_webhooks_sweep' ) ),
				'cache'   => array( file_exists( $cache ), file_exists( WP_CONTENT_DIR . '/cache' ) ),
			)
		);
		break;

	case 'network-install':
		// A single site, then what wp-admin/network.php does to it: the network's tables
		// and rows (the multisite constants come with CASPAY_E2E_NETWORK=multisite).
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		wp_install( 'CasPay E2E network', 'admin', 'admin@example.com', false, '', wp_generate_password( 24 ) );
		update_option( 'siteurl', getenv( 'CASPAY_E2E_URL' ) );
		update_option( 'home', getenv( 'CASPAY_E2E_URL' ) );
		// Outside a network $wpdb names no network table; network.php names them so too.
		foreach ( $wpdb->tables( 'ms_global' ) as $table => $prefixed_table ) {
			$wpdb->$table = $prefixed_table;
		}
		install_network();
		$populated = populate_network( 1, $_SERVER['HTTP_HOST'], 'admin@example.com', 'CasPay E2E network', '/', false );
		if ( is_wp_error( $populated ) ) {
			fwrite( STDERR, 'populate_network failed: ' . $populated->get_error_message() . "\n" );
			exit( 1 );
		}
		break;

	case 'network-sites':
		$ids = array();
		foreach ( array_slice( $argv, 2 ) as $path ) {
			$id = wpmu_create_blog( get_network()->domain, $path, 'CasPay E2E ' . trim( $path, '/' ), 1 );
			if ( is_wp_error( $id ) ) {
				fwrite( STDERR, "creating the site $path failed: " . $id->get_error_message() . "\n" );
				exit( 1 );
			}
			$ids[] = $id;
		}
		echo implode( ' ', $ids );
		break;

	case 'load':
		// Loading was the point (a network-active plugin ran its plugins_loaded on this site).
		echo get_current_blog_id();
		break;

	case 'network-activate':
		require_once ABSPATH . 'wp-admin/includes/plugin.php';
		$activated = activate_plugin( $argv[2], '', true );
		if ( is_wp_error( $activated ) ) {
			fwrite( STDERR, 'network activation failed: ' . $activated->get_error_message() . "\n" );
			exit( 1 );
		}
		break;

	case 'network-deactivate':
		require_once ABSPATH . 'wp-admin/includes/plugin.php';
		deactivate_plugins( $argv[2], false, true );
		break;

	case 'network-uninstall':
		// What delete_plugins() runs before removing the files (the plugin is inactive, so
		// not loaded: uninstall.php stands alone, as in a network administrator's request).
		require_once ABSPATH . 'wp-admin/includes/plugin.php';
		if ( ! uninstall_plugin( $argv[2] ) ) {
			fwrite( STDERR, "uninstall_plugin() found no uninstall.php\n" );
			exit( 1 );
		}
		break;

	case 'network-state':
		// Read with switch_to_blog(), which loads no plugin: only the main site, the one
		// this command loads, runs a network-active plugin's plugins_loaded.
		require_once ABSPATH . 'wp-admin/includes/plugin.php';
		$sites = array();
		foreach ( get_sites( array( 'number' => 0 ) ) as $site ) {
			switch_to_blog( $site->blog_id );
			$tables = array();
			foreach ( array( 'caspay_webhook_inbox', 'caspay_webhook_deliveries' ) as $table ) {
				if ( $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $wpdb->esc_like( $wpdb->prefix . $table ) ) ) ) {
					$tables[] = $table;
				}
			}
			$sites[ $site->path ] = array(
				'id'      => (int) $site->blog_id,
				'cron'    => array( (bool) wp_next_scheduled( 'caspay_webhooks_prune' ), (bool) wp_next_scheduled( 'caspay_webhooks_sweep' ) ),
				'tables'  => $tables,
				'options' => $wpdb->get_col( "SELECT option_name FROM {$wpdb->options} WHERE option_name LIKE 'caspay\\_webhooks\\_%'" ),
			);
			restore_current_blog();
		}
		echo wp_json_encode(
			array(
				'network_active'  => is_plugin_active_for_network( $argv[2] ),
				'network_options' => $wpdb->get_col( "SELECT meta_key FROM {$wpdb->sitemeta} WHERE meta_key LIKE 'caspay\\_webhooks\\_%'" ),
				'sites'           => $sites,
			)
		);
		break;

	default:
		fwrite( STDERR, "unknown command $command\n" );
		exit( 2 );
}
