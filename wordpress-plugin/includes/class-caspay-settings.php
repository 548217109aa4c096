<?php
/**
 * Settings → CasPay Webhooks: secrets, limits, engine status and the delivery log.
 *
 * @package CasPay_Webhooks
 */

defined( 'ABSPATH' ) || exit;

/**
 * The admin screen, built on the Settings API (options.php checks the nonce and the
 * capability of the settings form); the log's one action posts to admin-post.php with
 * its own nonce and capability check.
 */
final class CasPay_Settings {

	const PAGE          = 'caspay-webhooks';
	const GROUP         = 'caspay_webhooks';
	const CAPABILITY    = 'manage_options';
	const CLEAR_ACTION  = 'caspay_webhooks_clear_log';
	const RETRY_ACTION  = 'caspay_webhooks_process_again';
	const SECRET_FORMAT = '/^whsec_[A-Za-z0-9]{32}$/';
	const PER_PAGE      = 50;

	/**
	 * Settings errors already added in this request: WordPress sanitizes an option twice
	 * when it is saved for the first time (update_option() then add_option()), which would
	 * show each notice twice.
	 *
	 * @var array<string, true>
	 */
	private static $reported = array();

	/**
	 * Hooks the screen.
	 *
	 * @param string $plugin_file The main plugin file.
	 */
	public static function register( $plugin_file ) {
		add_action( 'admin_menu', array( __CLASS__, 'add_page' ) );
		add_action( 'admin_init', array( __CLASS__, 'register_settings' ) );
		add_action( 'admin_post_' . self::CLEAR_ACTION, array( __CLASS__, 'clear_log' ) );
		add_action( 'admin_post_' . self::RETRY_ACTION, array( __CLASS__, 'process_again' ) );
		add_filter( 'plugin_action_links_' . plugin_basename( $plugin_file ), array( __CLASS__, 'action_links' ) );
	}

	/**
	 * Adds the page under Settings.
	 */
	public static function add_page() {
		add_options_page(
			__( 'CasPay Webhooks', 'caspay-webhooks' ),
			__( 'CasPay Webhooks', 'caspay-webhooks' ),
			self::CAPABILITY,
			self::PAGE,
			array( __CLASS__, 'render' )
		);
	}

	/**
	 * A Settings link on the Plugins screen.
	 *
	 * @param string[] $links Existing links.
	 * @return string[]
	 */
	public static function action_links( $links ) {
		$url = admin_url( 'options-general.php?page=' . self::PAGE );
		array_unshift( $links, '<a href="' . esc_url( $url ) . '">' . esc_html__( 'Settings', 'caspay-webhooks' ) . '</a>' );
		return $links;
	}

	/**
	 * Registers the options, the section and the fields.
	 */
	public static function register_settings() {
		register_setting(
			self::GROUP,
			CasPay_Plugin::OPTION_SECRET,
			array(
				'type'              => 'string',
				'sanitize_callback' => array( __CLASS__, 'sanitize_secret' ),
				'default'           => '',
			)
		);
		register_setting(
			self::GROUP,
			CasPay_Plugin::OPTION_PREVIOUS_SECRET,
			array(
				'type'              => 'string',
				'sanitize_callback' => array( __CLASS__, 'sanitize_previous_secret' ),
				'default'           => '',
			)
		);
		register_setting(
			self::GROUP,
			CasPay_Plugin::OPTION_TOLERANCE,
			array(
				'type'              => 'integer',
				'sanitize_callback' => 'absint',
				'default'           => 0,
			)
		);
		register_setting(
			self::GROUP,
			CasPay_Plugin::OPTION_MAX_PAYLOAD,
			array(
				'type'              => 'integer',
				'sanitize_callback' => array( __CLASS__, 'sanitize_max_payload' ),
				'default'           => CasPay_Webhooks::DEFAULT_MAX_PAYLOAD_BYTES,
			)
		);
		register_setting(
			self::GROUP,
			CasPay_Plugin::OPTION_ENGINE,
			array(
				'type'              => 'string',
				'sanitize_callback' => array( 'CasPay_Engine_Selector', 'preference' ),
				'default'           => 'auto',
			)
		);

		add_settings_section( 'caspay_webhooks_main', __( 'Endpoint', 'caspay-webhooks' ), '__return_null', self::PAGE );
		add_settings_field( 'caspay_webhooks_url', __( 'Webhook URL', 'caspay-webhooks' ), array( __CLASS__, 'field_url' ), self::PAGE, 'caspay_webhooks_main' );
		add_settings_field( CasPay_Plugin::OPTION_SECRET, __( 'Endpoint secret', 'caspay-webhooks' ), array( __CLASS__, 'field_secret' ), self::PAGE, 'caspay_webhooks_main', array( 'label_for' => CasPay_Plugin::OPTION_SECRET ) );
		add_settings_field( CasPay_Plugin::OPTION_PREVIOUS_SECRET, __( 'Previous secret', 'caspay-webhooks' ), array( __CLASS__, 'field_previous_secret' ), self::PAGE, 'caspay_webhooks_main', array( 'label_for' => CasPay_Plugin::OPTION_PREVIOUS_SECRET ) );
		add_settings_field( CasPay_Plugin::OPTION_TOLERANCE, __( 'Timestamp tolerance', 'caspay-webhooks' ), array( __CLASS__, 'field_tolerance' ), self::PAGE, 'caspay_webhooks_main', array( 'label_for' => CasPay_Plugin::OPTION_TOLERANCE ) );
		add_settings_field( CasPay_Plugin::OPTION_MAX_PAYLOAD, __( 'Maximum payload', 'caspay-webhooks' ), array( __CLASS__, 'field_max_payload' ), self::PAGE, 'caspay_webhooks_main', array( 'label_for' => CasPay_Plugin::OPTION_MAX_PAYLOAD ) );
		add_settings_field( CasPay_Plugin::OPTION_ENGINE, __( 'Engine', 'caspay-webhooks' ), array( __CLASS__, 'field_engine' ), self::PAGE, 'caspay_webhooks_main', array( 'label_for' => CasPay_Plugin::OPTION_ENGINE ) );
	}

	/**
	 * Keeps the saved secret when the masked field is left blank.
	 *
	 * @param mixed $value Submitted value.
	 * @return string
	 */
	public static function sanitize_secret( $value ) {
		return self::sanitize_secret_value( $value, CasPay_Plugin::OPTION_SECRET, false );
	}

	/**
	 * As sanitize_secret(), plus the "remove" checkbox.
	 *
	 * @param mixed $value Submitted value.
	 * @return string
	 */
	public static function sanitize_previous_secret( $value ) {
		return self::sanitize_secret_value( $value, CasPay_Plugin::OPTION_PREVIOUS_SECRET, true );
	}

	/**
	 * Shared secret sanitizing. The secret is the HMAC key byte for byte, so nothing is
	 * changed inside it; only surrounding whitespace (a copy-paste accident) is removed.
	 *
	 * @param mixed  $value     Submitted value.
	 * @param string $option    Option name.
	 * @param bool   $removable Whether the remove checkbox applies.
	 * @return string
	 */
	private static function sanitize_secret_value( $value, $option, $removable ) {
		if ( 'constant' === CasPay_Plugin::secret_source( $option ) ) {
			// wp-config.php decides; the disabled field sends nothing, the option stays as it was.
			return (string) get_option( $option, '' );
		}
		// options.php verified the nonce and the capability before calling sanitizers.
		if ( $removable && ! empty( $_POST['caspay_webhooks_remove_previous'] ) ) { // phpcs:ignore WordPress.Security.NonceVerification.Missing
			return '';
		}
		$current = (string) get_option( $option, '' );
		$value   = is_string( $value ) ? trim( $value ) : '';
		if ( '' === $value ) {
			return $current;
		}
		if ( preg_match( '/[\x00-\x1F\x7F]/', $value ) ) {
			self::add_error_once( $option, 'caspay_secret_invalid', __( 'The secret contains control characters and was not saved.', 'caspay-webhooks' ), 'error' );
			return $current;
		}
		if ( ! preg_match( self::SECRET_FORMAT, $value ) ) {
			self::add_error_once( $option, 'caspay_secret_format', __( 'Saved, but the secret does not look like a CasPay secret (whsec_ followed by 32 letters and digits). Check that you copied all of it.', 'caspay-webhooks' ), 'warning' );
		}
		return $value;
	}

	/**
	 * add_settings_error(), once per setting and code in a request.
	 *
	 * @param string $setting Setting.
	 * @param string $code    Code.
	 * @param string $message Message.
	 * @param string $type    error, warning, success or info.
	 */
	private static function add_error_once( $setting, $code, $message, $type ) {
		if ( isset( self::$reported[ $setting . '|' . $code ] ) ) {
			return;
		}
		self::$reported[ $setting . '|' . $code ] = true;
		add_settings_error( $setting, $code, $message, $type );
	}

	/**
	 * The payload limit: at least 1 KiB, at most 16 MiB.
	 *
	 * @param mixed $value Submitted value.
	 * @return int
	 */
	public static function sanitize_max_payload( $value ) {
		$value = absint( $value );
		return 0 === $value ? CasPay_Webhooks::DEFAULT_MAX_PAYLOAD_BYTES : min( max( $value, 1024 ), 16 * 1024 * 1024 );
	}

	/**
	 * The URL field.
	 */
	public static function field_url() {
		printf(
			'<input type="text" class="large-text code" readonly value="%1$s" onfocus="this.select()" /><p class="description">%2$s</p>',
			esc_attr( CasPay_Plugin::webhook_url() ),
			esc_html__( 'Paste this URL as the webhook endpoint in your CasPay dashboard.', 'caspay-webhooks' )
		);
	}

	/**
	 * A masked secret input: the saved value is never sent back to the browser.
	 *
	 * @param string $option Option name.
	 */
	private static function secret_input( $option ) {
		$source = CasPay_Plugin::secret_source( $option );
		if ( 'constant' === $source ) {
			printf(
				'<input type="password" id="%1$s" class="regular-text code" value="" disabled="disabled" placeholder="%2$s" /> <span class="caspay-secret-source">%3$s</span>',
				esc_attr( $option ),
				esc_attr__( 'Set in wp-config.php', 'caspay-webhooks' ),
				wp_kses(
					sprintf(
						/* translators: %s: a PHP constant name such as CASPAY_WEBHOOKS_SECRET */
						__( 'Set in wp-config.php (%s); this field is disabled.', 'caspay-webhooks' ),
						'<code>' . esc_html( CasPay_Plugin::SECRET_CONSTANTS[ $option ] ) . '</code>'
					),
					array( 'code' => array() )
				)
			);
			return;
		}
		printf(
			'<input type="password" id="%1$s" name="%1$s" class="regular-text code" value="" autocomplete="new-password" spellcheck="false" placeholder="%2$s" />',
			esc_attr( $option ),
			esc_attr( 'option' === $source ? __( 'Saved. Leave blank to keep it.', 'caspay-webhooks' ) : 'whsec_…' )
		);
	}

	/**
	 * The secret field.
	 */
	public static function field_secret() {
		self::secret_input( CasPay_Plugin::OPTION_SECRET );
		echo '<p class="description">' . esc_html__( 'The signing secret of this endpoint in the CasPay dashboard (starts with whsec_). Deliveries are rejected until it is set.', 'caspay-webhooks' ) . ' ';
		echo wp_kses(
			sprintf(
				/* translators: 1: define( 'CASPAY_WEBHOOKS_SECRET', '…' ); 2: wp-config.php */
				__( 'To keep it out of the database, put %1$s in %2$s instead (and CASPAY_WEBHOOKS_PREVIOUS_SECRET for the previous one).', 'caspay-webhooks' ),
				'<code>define( \'CASPAY_WEBHOOKS_SECRET\', \'whsec_…\' );</code>',
				'<code>wp-config.php</code>'
			),
			array( 'code' => array() )
		) . '</p>';
	}

	/**
	 * The previous secret field.
	 */
	public static function field_previous_secret() {
		self::secret_input( CasPay_Plugin::OPTION_PREVIOUS_SECRET );
		if ( 'option' === CasPay_Plugin::secret_source( CasPay_Plugin::OPTION_PREVIOUS_SECRET ) ) {
			echo ' <label><input type="checkbox" name="caspay_webhooks_remove_previous" value="1" /> ' . esc_html__( 'Remove', 'caspay-webhooks' ) . '</label>';
		}
		echo '<p class="description">' . esc_html__( 'While rotating the secret in CasPay, put the old one here: deliveries signed with either are accepted. Remove it once the log shows no delivery verified with it.', 'caspay-webhooks' ) . '</p>';
	}

	/**
	 * The tolerance field.
	 */
	public static function field_tolerance() {
		printf(
			'<input type="number" min="0" step="1" id="%1$s" name="%1$s" value="%2$s" class="small-text" /> %3$s<p class="description">%4$s</p>',
			esc_attr( CasPay_Plugin::OPTION_TOLERANCE ),
			esc_attr( (string) get_option( CasPay_Plugin::OPTION_TOLERANCE, 0 ) ),
			esc_html__( 'seconds (0 = off)', 'caspay-webhooks' ),
			esc_html__( 'Reject events whose signed creation time is further than this from now. CasPay retries a failed delivery with the same body for about 13 hours, so a short tolerance rejects legitimate retries; duplicates are already stopped by event id. If you enable it, allow at least 172800 (two days).', 'caspay-webhooks' )
		);
	}

	/**
	 * The payload limit field.
	 */
	public static function field_max_payload() {
		printf(
			'<input type="number" min="1024" step="1" id="%1$s" name="%1$s" value="%2$s" class="regular-text" /> %3$s',
			esc_attr( CasPay_Plugin::OPTION_MAX_PAYLOAD ),
			esc_attr( (string) get_option( CasPay_Plugin::OPTION_MAX_PAYLOAD, CasPay_Webhooks::DEFAULT_MAX_PAYLOAD_BYTES ) ),
			esc_html__( 'bytes; larger bodies are answered 413 before anything else is checked.', 'caspay-webhooks' )
		);
	}

	/**
	 * The engine field and what is active now.
	 */
	public static function field_engine() {
		$current = (string) get_option( CasPay_Plugin::OPTION_ENGINE, 'auto' );
		$labels  = array(
			'auto' => __( 'Automatic: WebAssembly when available, else PHP', 'caspay-webhooks' ),
			'wasm' => __( 'WebAssembly (Wasmtime through PHP FFI)', 'caspay-webhooks' ),
			'php'  => __( 'Pure PHP', 'caspay-webhooks' ),
		);
		printf( '<select id="%1$s" name="%1$s">', esc_attr( CasPay_Plugin::OPTION_ENGINE ) );
		foreach ( $labels as $value => $label ) {
			printf( '<option value="%1$s" %2$s>%3$s</option>', esc_attr( $value ), selected( $current, $value, false ), esc_html( $label ) );
		}
		echo '</select>';
		if ( defined( 'CASPAY_WEBHOOKS_ENGINE' ) ) {
			echo '<p class="description">' . esc_html__( 'The CASPAY_WEBHOOKS_ENGINE constant overrides this setting.', 'caspay-webhooks' ) . '</p>';
		}
		self::engine_status();
	}

	/**
	 * Which engine answers, said calmly: the PHP engine is a full engine with identical
	 * results, not a degraded mode, so its being active is information, never an error.
	 */
	private static function engine_status() {
		$webhooks  = CasPay_Plugin::webhooks();
		$engine    = $webhooks->engine();
		$requested = CasPay_Plugin::engine_preference();
		if ( $engine instanceof CasPay_Wasm_Engine ) {
			echo '<div class="notice notice-success inline caspay-engine-status"><p><strong>' . esc_html__( 'WebAssembly engine active.', 'caspay-webhooks' ) . '</strong> ' . esc_html__( 'Deliveries are checked by the project\'s Rust core, the same code CasPay integrations run in Node.js and edge runtimes.', 'caspay-webhooks' ) . '</p>';
			echo '<ul>';
			foreach ( $engine->details() as $label => $value ) {
				echo '<li><code>' . esc_html( $label ) . '</code>: ' . esc_html( $value ) . '</li>';
			}
			echo '</ul></div>';
			if ( ! $engine->cache_usable() ) {
				self::module_cache_warning( $engine );
			}
		} elseif ( 'php' === $requested ) {
			echo '<div class="notice notice-info inline caspay-engine-status"><p><strong>' . esc_html__( 'PHP engine active: identical results.', 'caspay-webhooks' ) . '</strong> ' . esc_html__( 'The pure-PHP engine was chosen; it gives the same answer as the WebAssembly engine for every delivery.', 'caspay-webhooks' ) . '</p></div>';
		} else {
			echo '<div class="notice notice-info inline caspay-engine-status"><p><strong>' . esc_html__( 'PHP engine active: identical results.', 'caspay-webhooks' ) . '</strong> ' . esc_html__( 'Every delivery is verified and parsed exactly as the WebAssembly engine would; nothing needs to be done.', 'caspay-webhooks' ) . '</p>';
			echo '<p>' . esc_html__( 'The WebAssembly engine is optional and not available on this server:', 'caspay-webhooks' ) . ' <code>' . esc_html( $webhooks->engine_reason() ) . '</code></p>';
			echo '<p>' . esc_html__( 'It is worth enabling only if you want this site to run the very code your other CasPay integrations run; speed is no reason (a whole delivery takes about as long with either). It needs Wasmtime\'s C library and PHP\'s FFI extension allowed for it: either ffi.enable=1 in php.ini, which lets any PHP code on the site call native libraries, or, keeping PHP-FPM\'s default ffi.enable=preload, the library\'s declarations preloaded with ffi.preload and this plugin with opcache.preload, which limits FFI to preloaded code and loads the library once per PHP process rather than in every request; the plugin\'s readme says how.', 'caspay-webhooks' ) . '</p></div>';
		}
	}

	/**
	 * Without a usable module cache every delivery pays for compiling the module, a hundred
	 * times or more what loading it from the cache costs (bench/php measures both): say
	 * what it costs on this server, measured while rendering this page, and how to fix it.
	 *
	 * @param CasPay_Wasm_Engine $engine The active engine.
	 */
	private static function module_cache_warning( CasPay_Wasm_Engine $engine ) {
		$details = $engine->details();
		echo '<div class="notice notice-warning inline caspay-module-cache"><p><strong>' . esc_html__( 'The compiled WebAssembly module cannot be cached.', 'caspay-webhooks' ) . '</strong> ';
		echo esc_html(
			sprintf(
				/* translators: %s: milliseconds, e.g. 118 */
				__( 'Every request that receives a delivery compiles it again: that took %s ms on this server while this page was built, where loading it from the cache takes about 1 ms.', 'caspay-webhooks' ),
				number_format_i18n( (float) $engine->compile_ms(), 0 )
			)
		) . '</p>';
		if ( isset( $details['cache'] ) ) {
			echo '<p>' . esc_html__( 'Cache:', 'caspay-webhooks' ) . ' <code>' . esc_html( $details['cache'] ) . '</code></p>';
		}
		echo '<p>' . wp_kses(
			sprintf(
				/* translators: 1: wp-content/cache/caspay-webhooks/ 2: caspay_webhooks_wasm_config */
				__( 'To fix it, let the user PHP runs as create and own %1$s (mode 0700, not a symbolic link), or point the %2$s filter\'s cache_dir at a directory of that user that no one else can write. The PHP engine needs no cache.', 'caspay-webhooks' ),
				'<code>' . esc_html( str_replace( ABSPATH, '', WP_CONTENT_DIR ) . '/cache/caspay-webhooks/' ) . '</code>',
				'<code>caspay_webhooks_wasm_config</code>'
			),
			array( 'code' => array() )
		) . '</p></div>';
	}

	/**
	 * The page: settings tab or deliveries tab.
	 */
	public static function render() {
		if ( ! current_user_can( self::CAPABILITY ) ) {
			wp_die( esc_html__( 'You do not have permission to manage CasPay webhooks.', 'caspay-webhooks' ), 403 );
		}
		$tab  = isset( $_GET['tab'] ) && 'deliveries' === $_GET['tab'] ? 'deliveries' : 'settings'; // phpcs:ignore WordPress.Security.NonceVerification.Recommended
		$base = admin_url( 'options-general.php?page=' . self::PAGE );
		echo '<div class="wrap"><h1>' . esc_html__( 'CasPay Webhooks', 'caspay-webhooks' ) . '</h1>';
		echo '<nav class="nav-tab-wrapper">';
		printf( '<a href="%1$s" class="nav-tab %2$s">%3$s</a>', esc_url( $base ), 'settings' === $tab ? 'nav-tab-active' : '', esc_html__( 'Settings', 'caspay-webhooks' ) );
		printf( '<a href="%1$s" class="nav-tab %2$s">%3$s</a>', esc_url( add_query_arg( 'tab', 'deliveries', $base ) ), 'deliveries' === $tab ? 'nav-tab-active' : '', esc_html__( 'Deliveries', 'caspay-webhooks' ) );
		echo '</nav>';
		if ( 'deliveries' === $tab ) {
			self::render_deliveries();
		} else {
			echo '<form method="post" action="' . esc_url( admin_url( 'options.php' ) ) . '">';
			settings_fields( self::GROUP );
			do_settings_sections( self::PAGE );
			submit_button();
			echo '</form>';
		}
		echo '</div>';
	}

	/**
	 * The Deliveries tab: events that need an operator, then the log.
	 */
	private static function render_deliveries() {
		// phpcs:disable WordPress.Security.NonceVerification.Recommended -- display-only parameters set by our own redirects.
		$page = isset( $_GET['paged'] ) ? max( 1, absint( $_GET['paged'] ) ) : 1;
		if ( isset( $_GET['cleared'] ) ) {
			echo '<div class="notice notice-success"><p>' . esc_html__( 'The delivery log was cleared. The inbox keeps every event, so repeated deliveries are still recognized.', 'caspay-webhooks' ) . '</p></div>';
		}
		if ( isset( $_GET['processed'] ) ) {
			$outcome = sanitize_key( wp_unslash( $_GET['processed'] ) );
			$ok      = 'processed' === $outcome;
			echo '<div class="notice ' . ( $ok ? 'notice-success' : 'notice-warning' ) . '"><p>' . esc_html(
				$ok ? __( 'The event was processed.', 'caspay-webhooks' )
					/* translators: %s: what happened to the event, e.g. "Listener failed" */
					: sprintf( __( 'The event was not processed: %s. Its last error is shown below.', 'caspay-webhooks' ), CasPay_Messages::outcome( $outcome ) )
			) . '</p></div>';
		}
		// phpcs:enable
		$store  = new CasPay_Wpdb_Inbox_Store();
		$counts = $store->counts();
		echo '<h2>' . esc_html__( 'Events', 'caspay-webhooks' ) . '</h2><p>';
		$parts = array();
		foreach ( $counts as $state => $count ) {
			$parts[] = esc_html( CasPay_Messages::state( $state ) ) . ': <strong>' . esc_html( number_format_i18n( $count ) ) . '</strong>';
		}
		echo implode( ' · ', $parts ) . '</p>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped above.
		echo '<p class="description">' . esc_html__( 'Each event is processed until all its listeners succeed. A failed event is tried again by CasPay\'s next delivery or by the sweep that runs every minute; after the last attempt it is dead and waits for you.', 'caspay-webhooks' ) . '</p>';

		$now             = time();
		$attention_total = $store->count_needing_attention( $now );
		$attention_pages = max( 1, (int) ceil( $attention_total / self::PER_PAGE ) );
		// Own page number, so that paging through these keeps the log's page and the reverse.
		$attention_page = isset( $_GET['attention'] ) ? min( $attention_pages, max( 1, absint( $_GET['attention'] ) ) ) : 1; // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- a display-only page number.
		$attention      = $attention_total > 0 ? $store->needing_attention( $now, self::PER_PAGE, ( $attention_page - 1 ) * self::PER_PAGE ) : array();
		if ( $attention ) {
			echo '<h3>' . esc_html(
				sprintf(
					/* translators: %s: number of events that are failed, dead or whose run stopped */
					__( 'Needing attention (%s)', 'caspay-webhooks' ),
					number_format_i18n( $attention_total )
				)
			) . '</h3>';
			echo '<table class="widefat striped caspay-attention"><thead><tr>';
			foreach ( array( __( 'Type', 'caspay-webhooks' ), __( 'Idempotency key', 'caspay-webhooks' ), __( 'State', 'caspay-webhooks' ), __( 'Attempts', 'caspay-webhooks' ), __( 'Last error', 'caspay-webhooks' ), __( 'Next attempt (UTC)', 'caspay-webhooks' ), '' ) as $heading ) {
				echo '<th scope="col">' . esc_html( $heading ) . '</th>';
			}
			echo '</tr></thead><tbody>';
			foreach ( $attention as $row ) {
				$state = 'processing' === $row['state'] ? __( 'Processing, lease expired', 'caspay-webhooks' ) : CasPay_Messages::state( $row['state'] );
				$next  = 'failed' === $row['state'] ? gmdate( 'Y-m-d H:i:s', $row['next_attempt_at'] ) : '';
				echo '<tr>';
				echo '<td><code>' . esc_html( $row['type'] ) . '</code></td>';
				echo '<td><code>' . esc_html( $row['key'] ) . '</code></td>';
				echo '<td>' . esc_html( $state ) . '</td>';
				echo '<td>' . esc_html( (string) $row['attempts'] ) . '</td>';
				echo '<td><pre class="caspay-error" style="white-space:pre-wrap;margin:0">' . esc_html( (string) $row['last_error'] ) . '</pre></td>';
				echo '<td>' . esc_html( $next ) . '</td><td>';
				if ( in_array( $row['state'], array( 'failed', 'dead' ), true ) ) {
					echo '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '">';
					echo '<input type="hidden" name="action" value="' . esc_attr( self::RETRY_ACTION ) . '" />';
					echo '<input type="hidden" name="event" value="' . esc_attr( (string) $row['id'] ) . '" />';
					wp_nonce_field( self::RETRY_ACTION . '_' . $row['id'] );
					submit_button( __( 'Process again', 'caspay-webhooks' ), 'secondary small', 'submit', false );
					echo '</form>';
				}
				echo '</td></tr>';
			}
			echo '</tbody></table>';
			$links = paginate_links(
				array(
					'base'    => add_query_arg( 'attention', '%#%' ),
					'format'  => '',
					'current' => $attention_page,
					'total'   => $attention_pages,
				)
			);
			if ( $links ) {
				echo '<div class="tablenav caspay-attention-pages"><div class="tablenav-pages">' . wp_kses_post( $links ) . '</div></div>';
			}
		}

		$total = CasPay_Delivery_Log::count();
		$rows  = CasPay_Delivery_Log::recent( self::PER_PAGE, $page );
		echo '<h2>' . esc_html__( 'Delivery log', 'caspay-webhooks' ) . '</h2>';
		echo '<p>' . esc_html(
			sprintf(
				/* translators: %d: number of logged deliveries and runs */
				_n( '%d delivery or run logged.', '%d deliveries and runs logged.', $total['deliveries'], 'caspay-webhooks' ),
				$total['deliveries']
			)
		) . ' ' . esc_html__( 'Rejected deliveries are counted per code and minute, and repeated copies of an event per minute, so a flood of requests adds a few rows.', 'caspay-webhooks' ) . '</p>';
		echo '<table class="widefat striped caspay-log"><thead><tr>';
		foreach ( array( __( 'Received (UTC)', 'caspay-webhooks' ), __( 'Source', 'caspay-webhooks' ), __( 'Type', 'caspay-webhooks' ), __( 'Idempotency key', 'caspay-webhooks' ), __( 'Outcome', 'caspay-webhooks' ), __( 'Code', 'caspay-webhooks' ), __( 'Attempt', 'caspay-webhooks' ), __( 'Count', 'caspay-webhooks' ), __( 'Message', 'caspay-webhooks' ), __( 'Engine', 'caspay-webhooks' ), __( 'Secret', 'caspay-webhooks' ) ) as $heading ) {
			echo '<th scope="col">' . esc_html( $heading ) . '</th>';
		}
		echo '</tr></thead><tbody>';
		if ( ! $rows ) {
			echo '<tr><td colspan="11">' . esc_html__( 'No deliveries yet.', 'caspay-webhooks' ) . '</td></tr>';
		}
		foreach ( $rows as $row ) {
			$secret = null === $row['secret_index'] ? '' : ( '0' === (string) $row['secret_index'] ? __( 'current', 'caspay-webhooks' ) : __( 'previous', 'caspay-webhooks' ) );
			$when   = $row['received_at'] . ( ! empty( $row['last_at'] ) && $row['last_at'] !== $row['received_at'] ? ' – ' . substr( $row['last_at'], 11 ) : '' );
			$status = ( $row['http_status'] > 0 ? $row['http_status'] . ' ' : '' ) . CasPay_Messages::outcome( $row['status'] );
			echo '<tr>';
			echo '<td>' . esc_html( $when ) . '</td>';
			echo '<td>' . esc_html( CasPay_Messages::via( $row['via'] ) ) . '</td>';
			echo '<td><code>' . esc_html( $row['event_type'] ) . '</code></td>';
			echo '<td><code>' . esc_html( $row['idempotency_key'] ) . '</code></td>';
			echo '<td>' . esc_html( $status ) . '</td>';
			echo '<td>' . esc_html( $row['error_code'] ) . '</td>';
			echo '<td>' . esc_html( (string) $row['attempt'] ) . '</td>';
			echo '<td>' . esc_html( number_format_i18n( (int) $row['hits'] ) ) . '</td>';
			echo '<td><pre class="caspay-message" style="white-space:pre-wrap;margin:0">' . esc_html( (string) $row['message'] ) . '</pre></td>';
			echo '<td>' . esc_html( $row['engine'] ) . '</td>';
			echo '<td>' . esc_html( $secret ) . '</td>';
			echo '</tr>';
		}
		echo '</tbody></table>';
		$links = paginate_links(
			array(
				'base'    => add_query_arg( 'paged', '%#%' ),
				'format'  => '',
				'current' => $page,
				'total'   => max( 1, (int) ceil( $total['rows'] / self::PER_PAGE ) ),
			)
		);
		if ( $links ) {
			echo '<div class="tablenav"><div class="tablenav-pages">' . wp_kses_post( $links ) . '</div></div>';
		}
		echo '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '">';
		echo '<input type="hidden" name="action" value="' . esc_attr( self::CLEAR_ACTION ) . '" />';
		wp_nonce_field( self::CLEAR_ACTION );
		submit_button( __( 'Clear the delivery log', 'caspay-webhooks' ), 'delete', 'submit', false );
		echo '<p class="description">' . esc_html__( 'Events stay in the inbox: they are how repeated deliveries are recognized.', 'caspay-webhooks' ) . '</p>';
		echo '</form>';
	}

	/**
	 * Handles the clear-log form.
	 */
	public static function clear_log() {
		if ( ! current_user_can( self::CAPABILITY ) ) {
			wp_die( esc_html__( 'You do not have permission to manage CasPay webhooks.', 'caspay-webhooks' ), 403 );
		}
		check_admin_referer( self::CLEAR_ACTION );
		CasPay_Delivery_Log::clear();
		wp_safe_redirect( admin_url( 'options-general.php?page=' . self::PAGE . '&tab=deliveries&cleared=1' ) );
		exit;
	}

	/**
	 * Handles "Process again": a failed or dead event goes back to received and runs now.
	 */
	public static function process_again() {
		if ( ! current_user_can( self::CAPABILITY ) ) {
			wp_die( esc_html__( 'You do not have permission to manage CasPay webhooks.', 'caspay-webhooks' ), 403 );
		}
		$id = isset( $_POST['event'] ) ? absint( $_POST['event'] ) : 0;
		check_admin_referer( self::RETRY_ACTION . '_' . $id );
		$row     = ( new CasPay_Wpdb_Inbox_Store() )->find_by_id( $id );
		$outcome = null === $row ? null : CasPay_Plugin::inbox()->process_again( $row['key'] );
		$result  = null === $outcome ? 'unchanged' : $outcome['outcome'];
		wp_safe_redirect( admin_url( 'options-general.php?page=' . self::PAGE . '&tab=deliveries&processed=' . rawurlencode( $result ) ) );
		exit;
	}
}
