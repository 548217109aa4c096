<?php
/**
 * Router for `php -S` in the per-request part of the PHP benchmark: one delivery per
 * request, as a merchant's receiver handles it.
 *
 *   /plain         answers at once: the cost of a request itself (the baseline)
 *   /php           CasPay_Webhooks on the pure-PHP engine: construct() of the posted body
 *   /wasm          the same on the WebAssembly engine, the module cache in
 *                  CASPAY_BENCH_CACHE_DIR (warm after the first request)
 *   /wasm-nocache  the WebAssembly engine with the module cache off: compiled per request
 *
 * Answers 200 with the event id, or 500 when the engine asked for is not the one that ran
 * (so a fallback is never measured as the WebAssembly engine). The X-Bench header carries
 * the setup time (library loaded, engine created: new CasPay_Webhooks), the construct()
 * time and, for the WebAssembly engine, how Wasmtime was bound (a preloaded FFI scope or
 * FFI::cdef) and each setup step's time (CasPay_Wasm_Engine::setup_ms()), in microseconds,
 * measured inside the request.
 *
 * @package CasPay_Webhooks
 */

// phpcs:disable WordPress.WP.AlternativeFunctions, WordPress.Security.EscapeOutput, WordPress.Security.ValidatedSanitizedInput

$caspay_route = (string) parse_url( $_SERVER['REQUEST_URI'], PHP_URL_PATH );
if ( '/plain' === $caspay_route ) {
	echo 'ok';
	return;
}

$caspay_start = hrtime( true );
require dirname( __DIR__, 2 ) . '/wordpress-plugin/includes/autoload.php';
$caspay_engines = array(
	'/php'          => array( 'php', array() ),
	'/wasm'         => array( 'wasm', array( 'cache_dir' => getenv( 'CASPAY_BENCH_CACHE_DIR' ) ) ),
	'/wasm-nocache' => array( 'wasm', array( 'cache_dir' => false ) ),
);
if ( ! isset( $caspay_engines[ $caspay_route ] ) ) {
	http_response_code( 404 );
	return;
}
list( $caspay_engine, $caspay_config ) = $caspay_engines[ $caspay_route ];
$caspay_webhooks                        = new CasPay_Webhooks( $caspay_engine, $caspay_config );
$caspay_setup                           = hrtime( true );
if ( $caspay_webhooks->engine()->name() !== $caspay_engine ) {
	http_response_code( 500 );
	echo 'engine ', $caspay_webhooks->engine()->name(), ' ran, not ', $caspay_engine, ': ', $caspay_webhooks->engine_reason();
	return;
}
try {
	$caspay_event = $caspay_webhooks->construct(
		file_get_contents( 'php://input' ),
		isset( $_SERVER['HTTP_X_CASPAY_SIGNATURE'] ) ? $_SERVER['HTTP_X_CASPAY_SIGNATURE'] : null,
		(string) getenv( 'CASPAY_BENCH_SECRET' )
	);
} catch ( CasPay_Webhook_Exception $caspay_error ) {
	http_response_code( 400 );
	echo $caspay_error->code_name;
	return;
}
$caspay_done    = hrtime( true );
$caspay_status  = function_exists( 'opcache_get_status' ) ? @opcache_get_status( false ) : false; // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged
$caspay_wasm    = $caspay_webhooks->engine() instanceof CasPay_Wasm_Engine ? $caspay_webhooks->engine() : null;
$caspay_details = $caspay_wasm ? $caspay_wasm->details() : array();
$caspay_steps   = '';
foreach ( $caspay_wasm ? $caspay_wasm->setup_ms() : array() as $caspay_step => $caspay_ms ) {
	$caspay_steps .= sprintf( ';%s=%d', $caspay_step, $caspay_ms * 1000 );
}
header(
	sprintf(
		'X-Bench: setup=%d;handle=%d;opcache=%d;cache=%s;binding=%s%s',
		( $caspay_setup - $caspay_start ) / 1000,
		( $caspay_done - $caspay_setup ) / 1000,
		is_array( $caspay_status ) && ! empty( $caspay_status['opcache_enabled'] ) ? 1 : 0,
		isset( $caspay_details['cache'] ) ? strtok( $caspay_details['cache'], ' :;' ) : '-',
		isset( $caspay_details['library'] ) ? ( 0 === strpos( $caspay_details['library'], 'ffi.preload scope' ) ? 'scope' : 'cdef' ) : '-',
		$caspay_steps
	)
);
echo json_encode( array( 'key' => $caspay_event['idempotencyKey'] ?? null, 'type' => $caspay_event['type'] ?? null ) );
