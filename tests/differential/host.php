<?php
/**
 * The differential fuzzer's PHP host: both engines of the WordPress plugin's library (the
 * WebAssembly engine through Wasmtime and FFI, and the pure-PHP engine) over the cases the
 * driver generated. Usage: php -d ffi.enable=1 host.php cases.json > outcomes.json
 *
 * @package CasPay_Webhooks
 */

error_reporting( E_ALL );
require dirname( __DIR__, 2 ) . '/wordpress-plugin/includes/autoload.php';

/**
 * One call's outcome, in the shape every host reports.
 *
 * @param callable $call The call.
 * @return array
 */
function caspay_diff_outcome( callable $call ) {
	try {
		return array( 'event' => $call() );
	} catch ( CasPay_Webhook_Exception $e ) {
		return array(
			'code'  => $e->code_name,
			'field' => $e->field,
		);
	}
}

$cases    = json_decode( (string) file_get_contents( $argv[1] ), true );
$engines  = array(
	'php'  => new CasPay_Webhooks( new CasPay_Php_Engine() ),
	'wasm' => new CasPay_Webhooks( CasPay_Engine_Selector::create( 'wasm', array( 'memory_limit' => 256 * 1024 * 1024 ) ) ),
);
$outcomes = array();
foreach ( $engines as $name => $webhooks ) {
	$outcomes[ $name ] = array();
	foreach ( $cases as $case ) {
		$body    = (string) hex2bin( $case['body'] );
		$options = array();
		if ( isset( $case['options']['maxPayloadBytes'] ) ) {
			$options['max_payload_bytes'] = (int) $case['options']['maxPayloadBytes'];
		}
		if ( isset( $case['options']['toleranceSeconds'] ) ) {
			$options['tolerance'] = (int) $case['options']['toleranceSeconds'];
			$options['now']       = (int) $case['options']['now'];
		}
		$outcomes[ $name ][] = array(
			'construct' => caspay_diff_outcome(
				static function () use ( $webhooks, $body, $case, $options ) {
					return $webhooks->construct( $body, (string) $case['signature'], $case['secrets'], $options );
				}
			),
			'parse'     => caspay_diff_outcome(
				static function () use ( $webhooks, $body, $options ) {
					return $webhooks->parse( $body, $options );
				}
			),
		);
	}
}
echo json_encode( $outcomes, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE | JSON_PRESERVE_ZERO_FRACTION ), "\n";
