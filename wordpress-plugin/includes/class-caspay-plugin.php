<?php
/**
 * Wires the plugin into WordPress.
 *
 * @package CasPay_Webhooks
 */

defined( 'ABSPATH' ) || exit;

/**
 * Hooks, options and the shared objects (engine, handler) of one request.
 */
final class CasPay_Plugin {

	const OPTION_SECRET          = 'caspay_webhooks_secret';
	const OPTION_PREVIOUS_SECRET = 'caspay_webhooks_previous_secret';
	const OPTION_TOLERANCE       = 'caspay_webhooks_tolerance';
	const OPTION_MAX_PAYLOAD     = 'caspay_webhooks_max_payload_bytes';
	const OPTION_ENGINE          = 'caspay_webhooks_engine';
	const PRUNE_HOOK             = 'caspay_webhooks_prune';

	/**
	 * The facade for this request, created on first use (only webhook requests and the
	 * settings screen pay for starting an engine).
	 *
	 * @var CasPay_Webhooks|null
	 */
	private static $webhooks;

	/**
	 * Registers everything; called once from the main plugin file.
	 *
	 * @param string $plugin_file The main plugin file.
	 */
	public static function boot( $plugin_file ) {
		register_activation_hook( $plugin_file, array( __CLASS__, 'activate' ) );
		register_deactivation_hook( $plugin_file, array( __CLASS__, 'deactivate' ) );
		add_action( 'plugins_loaded', array( 'CasPay_Delivery_Log', 'maybe_upgrade' ) );
		add_action( self::PRUNE_HOOK, array( 'CasPay_Delivery_Log', 'prune' ) );
		CasPay_Rest_Controller::register();
		if ( is_admin() ) {
			CasPay_Settings::register( $plugin_file );
		}
	}

	/**
	 * Creates the table and schedules pruning.
	 */
	public static function activate() {
		CasPay_Delivery_Log::install();
		if ( ! wp_next_scheduled( self::PRUNE_HOOK ) ) {
			wp_schedule_event( time() + HOUR_IN_SECONDS, 'daily', self::PRUNE_HOOK );
		}
	}

	/**
	 * Stops pruning; data stays until uninstall.
	 */
	public static function deactivate() {
		wp_clear_scheduled_hook( self::PRUNE_HOOK );
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
			/**
			 * Filters the WebAssembly engine's configuration (see CasPay_Wasm_Runtime::shared()).
			 * The library path comes from the CASPAY_WEBHOOKS_WASMTIME_LIB constant.
			 *
			 * @param array $config Keys: library, module, cache_dir, cache_index_file, memory_limit.
			 */
			$config         = apply_filters(
				'caspay_webhooks_wasm_config',
				array(
					'cache_dir'        => WP_CONTENT_DIR . '/cache/caspay-webhooks',
					'cache_index_file' => true,
					// Parsing needs a few times the body in WebAssembly memory; running out traps.
					'memory_limit'     => max( 64 * 1024 * 1024, 8 * self::parse_options()['max_payload_bytes'] ),
				)
			);
			self::$webhooks = new CasPay_Webhooks( self::engine_preference(), (array) $config );
		}
		return self::$webhooks;
	}

	/**
	 * The configured secrets, current first.
	 *
	 * @return string[]
	 */
	public static function secrets() {
		return array_values(
			array_filter(
				array(
					(string) get_option( self::OPTION_SECRET, '' ),
					(string) get_option( self::OPTION_PREVIOUS_SECRET, '' ),
				),
				'strlen'
			)
		);
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
	 * The request handler, with this site's secrets, options, table and actions.
	 *
	 * @return CasPay_Webhook_Handler
	 */
	public static function handler() {
		return new CasPay_Webhook_Handler( self::webhooks(), self::secrets(), self::parse_options(), new CasPay_Delivery_Log(), array( __CLASS__, 'dispatch' ) );
	}

	/**
	 * Fires the actions for a new (never before processed) event.
	 *
	 * @param array $event The normalized event.
	 */
	public static function dispatch( array $event ) {
		/**
		 * Fires once per CasPay event, after its signature was verified and only for the
		 * first delivery of its idempotency key.
		 *
		 * @param array $event The normalized event (see readme.txt).
		 */
		do_action( 'caspay_webhook_event', $event );
		$suffixes = array( self::action_suffix( $event['type'] ) );
		if ( 'unknown' !== $event['kind'] ) {
			// `subscription.cancelled` also fires the canonical `..._subscription_canceled`.
			$suffixes[] = self::action_suffix( $event['kind'] );
		}
		foreach ( array_unique( array_filter( $suffixes ) ) as $suffix ) {
			/**
			 * Fires for one event type, e.g. `caspay_webhook_payment_completed`.
			 *
			 * @param array $event The normalized event.
			 */
			do_action( 'caspay_webhook_' . $suffix, $event );
		}
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
