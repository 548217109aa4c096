<?php
/**
 * Wires the plugin into WordPress.
 *
 * @package CasPay_Webhooks
 */

defined( 'ABSPATH' ) || exit;

/**
 * Hooks, options and the shared objects (engine, inbox, handler) of one request.
 */
final class CasPay_Plugin {

	const OPTION_SECRET          = 'caspay_webhooks_secret';
	const OPTION_PREVIOUS_SECRET = 'caspay_webhooks_previous_secret';
	const OPTION_TOLERANCE       = 'caspay_webhooks_tolerance';
	const OPTION_MAX_PAYLOAD     = 'caspay_webhooks_max_payload_bytes';
	const OPTION_ENGINE          = 'caspay_webhooks_engine';

	/** Set when the plugin created wp-content/cache itself: uninstall may then remove it. */
	const OPTION_CACHE_PARENT = 'caspay_webhooks_created_cache_parent';

	/** wp-config.php constants that override the secret options. */
	const SECRET_CONSTANTS = array(
		self::OPTION_SECRET          => 'CASPAY_WEBHOOKS_SECRET',
		self::OPTION_PREVIOUS_SECRET => 'CASPAY_WEBHOOKS_PREVIOUS_SECRET',
	);

	/** Daily: deletes old log rows and old done events. */
	const PRUNE_HOOK = 'caspay_webhooks_prune';

	/** Every minute: runs events whose lease expired and failed events that are due. */
	const SWEEP_HOOK = 'caspay_webhooks_sweep';

	/** The sweep's WP-Cron schedule. */
	const SWEEP_SCHEDULE = 'caspay_webhooks_every_minute';

	/** Events per sweep, and seconds after which a sweep starts no new run. */
	const SWEEP_LIMIT  = 20;
	const SWEEP_BUDGET = 20;

	/**
	 * The facade for this request, created on first use (only webhook requests and the
	 * settings screen pay for starting an engine).
	 *
	 * @var CasPay_Webhooks|null
	 */
	private static $webhooks;

	/**
	 * The main plugin file.
	 *
	 * @var string
	 */
	private static $plugin_file = '';

	/**
	 * Registers everything; called once from the main plugin file.
	 *
	 * @param string $plugin_file The main plugin file.
	 */
	public static function boot( $plugin_file ) {
		self::$plugin_file = $plugin_file;
		register_activation_hook( $plugin_file, array( __CLASS__, 'activate' ) );
		register_deactivation_hook( $plugin_file, array( __CLASS__, 'deactivate' ) );
		add_filter( 'cron_schedules', array( __CLASS__, 'cron_schedules' ) ); // phpcs:ignore WordPress.WP.CronInterval.CronSchedulesInterval -- one minute is the point: the sweep must run before CasPay's 5-minute retry.
		add_action( 'plugins_loaded', array( __CLASS__, 'upgrade' ) );
		add_action( 'init', array( __CLASS__, 'load_textdomain' ) );
		add_action( self::PRUNE_HOOK, array( 'CasPay_Delivery_Log', 'prune' ) );
		add_action( self::SWEEP_HOOK, array( __CLASS__, 'sweep' ) );
		foreach ( array( 'wp_die_handler', 'wp_die_ajax_handler', 'wp_die_json_handler', 'wp_die_jsonp_handler', 'wp_die_xmlrpc_handler', 'wp_die_xml_handler' ) as $filter ) {
			add_filter( $filter, array( __CLASS__, 'wrap_die_handler' ), PHP_INT_MAX );
		}
		CasPay_Rest_Controller::register();
		if ( is_admin() ) {
			CasPay_Settings::register( $plugin_file );
		}
	}

	/**
	 * Creates the tables and schedules pruning and the sweep.
	 */
	public static function activate() {
		CasPay_Schema::install();
		self::schedule();
	}

	/**
	 * Stops the schedules, of every site when deactivated network-wide (each site scheduled
	 * its own when it first loaded the plugin); data stays until uninstall.
	 *
	 * @param bool $network_wide Whether the plugin is deactivated for the whole network.
	 */
	public static function deactivate( $network_wide = false ) {
		if ( ! $network_wide || ! is_multisite() ) {
			self::unschedule();
			return;
		}
		foreach ( get_sites(
			array(
				'fields' => 'ids',
				'number' => 0,
			)
		) as $site_id ) {
			switch_to_blog( $site_id );
			self::unschedule();
			restore_current_blog();
		}
	}

	/**
	 * Clears this site's pruning and sweep.
	 */
	private static function unschedule() {
		wp_clear_scheduled_hook( self::PRUNE_HOOK );
		wp_clear_scheduled_hook( self::SWEEP_HOOK );
	}

	/**
	 * Upgrades the tables after a plugin update (updates do not run activation), and puts
	 * back any schedule this site lacks: 0.1.0 had none, and on a network, deactivation
	 * clears every site's while reactivation runs activate() on one site only. Checking
	 * costs a read of the cron option, which WordPress has already loaded.
	 */
	public static function upgrade() {
		if ( CasPay_Schema::DB_VERSION !== get_option( CasPay_Schema::DB_VERSION_OPTION ) ) {
			CasPay_Schema::install();
		}
		self::schedule();
	}

	/**
	 * Schedules pruning (daily) and the sweep (every minute), each once.
	 */
	public static function schedule() {
		if ( ! wp_next_scheduled( self::PRUNE_HOOK ) ) {
			wp_schedule_event( time() + HOUR_IN_SECONDS, 'daily', self::PRUNE_HOOK );
		}
		if ( ! wp_next_scheduled( self::SWEEP_HOOK ) ) {
			wp_schedule_event( time(), self::SWEEP_SCHEDULE, self::SWEEP_HOOK );
		}
	}

	/**
	 * The sweep's one-minute interval.
	 *
	 * @param array $schedules WP-Cron schedules.
	 * @return array
	 */
	public static function cron_schedules( $schedules ) {
		$schedules[ self::SWEEP_SCHEDULE ] = array(
			'interval' => MINUTE_IN_SECONDS,
			'display'  => __( 'Every minute (CasPay Webhooks inbox sweep)', 'caspay-webhooks' ),
		);
		return $schedules;
	}

	/**
	 * Loads translations from the plugin's languages/ folder (wordpress.org's language
	 * packs take precedence when installed).
	 */
	public static function load_textdomain() {
		load_plugin_textdomain( 'caspay-webhooks', false, dirname( plugin_basename( self::$plugin_file ) ) . '/languages' );
	}

	/**
	 * The WP-Cron sweep: runs events no delivery may come back for.
	 */
	public static function sweep() {
		self::inbox()->sweep( self::SWEEP_LIMIT, self::SWEEP_BUDGET );
	}

	/**
	 * When wp_die() is called while a listener runs (WordPress's fatal error handler calls
	 * it), records the run as failed first: a die handler may exit, and then no later
	 * shutdown function runs.
	 *
	 * @param callable $handler The wp_die() handler.
	 * @return callable
	 */
	public static function wrap_die_handler( $handler ) {
		if ( ! CasPay_Inbox::running() ) {
			return $handler;
		}
		return static function ( $message, $title = '', $args = array() ) use ( $handler ) {
			$fatal = CasPay_Inbox::last_fatal_error();
			if ( null === $fatal ) {
				$text  = $message instanceof WP_Error ? $message->get_error_message() : ( is_scalar( $message ) ? (string) $message : '' );
				$fatal = 'wp_die() was called while a listener ran: ' . wp_strip_all_tags( $text );
			}
			CasPay_Inbox::abort_running( $fatal );
			call_user_func( $handler, $message, $title, $args );
		};
	}

	/**
	 * The requested engine: the CASPAY_WEBHOOKS_ENGINE constant, else the setting, then
	 * the `caspay_webhooks_engine` filter.
	 *
	 * @return string `auto`, `wasm` or `php`.
	 */
	public static function engine_preference() {
		$preference = defined( 'CASPAY_WEBHOOKS_ENGINE' ) ? (string) constant( 'CASPAY_WEBHOOKS_ENGINE' ) : (string) get_option( self::OPTION_ENGINE, 'auto' );
		/**
		 * Filters which engine verifies and parses webhooks.
		 *
		 * @param string $preference `auto` (WebAssembly when it can run, else PHP), `wasm` or `php`.
		 */
		return CasPay_Engine_Selector::preference( (string) apply_filters( 'caspay_webhooks_engine', $preference ) );
	}

	/**
	 * The facade, with the engine chosen for this site.
	 *
	 * @return CasPay_Webhooks
	 */
	public static function webhooks() {
		if ( null === self::$webhooks ) {
			$cache_parent = WP_CONTENT_DIR . '/cache';
			$had_parent   = file_exists( $cache_parent );
			/**
			 * Filters the WebAssembly engine's configuration (see CasPay_Wasm_Runtime::shared()).
			 * The library path comes from the CASPAY_WEBHOOKS_WASMTIME_LIB constant.
			 *
			 * @param array $config Keys: library, module, cache_dir, cache_index_file, memory_limit,
			 *                      guard_pages (false: bounds checks and no signal handlers;
			 *                      unset: guard pages when the address space is unlimited).
			 */
			$config         = apply_filters(
				'caspay_webhooks_wasm_config',
				array(
					'cache_dir'        => $cache_parent . '/caspay-webhooks',
					'cache_index_file' => true,
					// Parsing needs up to about 60 times the body in WebAssembly memory (1 MiB of an
					// array of one-digit numbers, the densest body, did not fit in 48 times), and
					// running out traps on every retry of the delivery. A cap, not a reservation;
					// WebAssembly's 32-bit memory ends at 4 GiB.
					'memory_limit'     => min( 4095 * 1024 * 1024, max( 64 * 1024 * 1024, 64 * self::parse_options()['max_payload_bytes'] ) ),
				)
			);
			self::$webhooks = new CasPay_Webhooks( self::engine_preference(), (array) $config );
			if ( ! $had_parent && is_dir( $cache_parent ) ) {
				// The module cache created wp-content/cache: uninstall may remove it again.
				update_site_option( self::OPTION_CACHE_PARENT, 1 );
			}
		}
		return self::$webhooks;
	}

	/**
	 * Where a secret comes from: `constant` (wp-config.php), `option` (the settings page)
	 * or `none`.
	 *
	 * @param string $option self::OPTION_SECRET or self::OPTION_PREVIOUS_SECRET.
	 * @return string
	 */
	public static function secret_source( $option ) {
		if ( isset( self::SECRET_CONSTANTS[ $option ] ) && defined( self::SECRET_CONSTANTS[ $option ] ) ) {
			return 'constant';
		}
		return '' !== (string) get_option( $option, '' ) ? 'option' : 'none';
	}

	/**
	 * A secret: its wp-config.php constant when defined (an empty constant means none),
	 * else the option.
	 *
	 * @param string $option self::OPTION_SECRET or self::OPTION_PREVIOUS_SECRET.
	 * @return string
	 */
	private static function secret( $option ) {
		if ( isset( self::SECRET_CONSTANTS[ $option ] ) && defined( self::SECRET_CONSTANTS[ $option ] ) ) {
			$value = constant( self::SECRET_CONSTANTS[ $option ] );
			return is_string( $value ) ? trim( $value ) : '';
		}
		return (string) get_option( $option, '' );
	}

	/**
	 * The configured secrets, current first.
	 *
	 * @return string[]
	 */
	public static function secrets() {
		return array_values( array_filter( array( self::secret( self::OPTION_SECRET ), self::secret( self::OPTION_PREVIOUS_SECRET ) ), 'strlen' ) );
	}

	/**
	 * Parse options from the settings.
	 *
	 * @return array
	 */
	public static function parse_options() {
		$tolerance = (int) get_option( self::OPTION_TOLERANCE, 0 );
		$max       = (int) get_option( self::OPTION_MAX_PAYLOAD, CasPay_Webhooks::DEFAULT_MAX_PAYLOAD_BYTES );
		return array(
			'max_payload_bytes' => $max > 0 ? $max : CasPay_Webhooks::DEFAULT_MAX_PAYLOAD_BYTES,
			'tolerance'         => $tolerance > 0 ? $tolerance : null,
		);
	}

	/**
	 * The inbox on this site's table, with the listeners of this site's actions.
	 *
	 * @return CasPay_Inbox
	 */
	public static function inbox() {
		/**
		 * Filters how long a run holds an event before another request may take it over.
		 * Keep it longer than a run takes, in wall-clock time, and shorter than 60 s
		 * (CasPay's first retry); give longer work to a background job.
		 *
		 * @param int $seconds Default 55.
		 */
		$lease = (int) apply_filters( 'caspay_webhooks_lease_seconds', CasPay_Inbox::DEFAULT_LEASE_SECONDS );
		/**
		 * Filters how many attempts an event gets before it is dead (shown to the operator).
		 *
		 * @param int $attempts Default 32 (the last about a day after the first).
		 */
		$max_attempts = (int) apply_filters( 'caspay_webhooks_max_attempts', CasPay_Inbox::DEFAULT_MAX_ATTEMPTS );
		return new CasPay_Inbox(
			new CasPay_Wpdb_Inbox_Store(),
			array( 'CasPay_Listeners', 'for_event' ),
			array(
				'lease_seconds' => max( 1, $lease ),
				'max_attempts'  => max( 1, $max_attempts ),
				'backoff'       => static function ( $attempts ) {
					/**
					 * Filters the wait before the next attempt of a failed event.
					 *
					 * @param int $seconds  Default 10 × 2^(attempts − 1), at most 3600.
					 * @param int $attempts Failed attempts so far.
					 */
					return (int) apply_filters( 'caspay_webhooks_retry_delay', CasPay_Inbox::backoff( $attempts ), $attempts );
				},
			)
		);
	}

	/**
	 * The request handler, with this site's secrets, options and inbox.
	 *
	 * @return CasPay_Webhook_Handler
	 */
	public static function handler() {
		return new CasPay_Webhook_Handler( self::webhooks(), self::secrets(), self::parse_options(), self::inbox() );
	}

	/**
	 * An event type as a hook name part: lowercase, dots to underscores, only [a-z0-9_].
	 *
	 * @param string $type Event type.
	 * @return string
	 */
	public static function action_suffix( $type ) {
		return (string) preg_replace( '/[^a-z0-9_]/', '', str_replace( '.', '_', strtolower( (string) $type ) ) );
	}

	/**
	 * The endpoint URL to paste into the CasPay dashboard.
	 *
	 * @return string
	 */
	public static function webhook_url() {
		return rest_url( CasPay_Rest_Controller::NAMESPACE_V1 . CasPay_Rest_Controller::ROUTE );
	}
}
