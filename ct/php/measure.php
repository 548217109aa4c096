<?php
/**
 * Timing samples of the PHP library's signature check, for `make ct` (ct/analyze.mjs reads
 * them). Usage: php [-d ffi.enable=1] ct/php/measure.php wasm|php SAMPLES_PER_CLASS OUT_DIR
 *
 * Real: CasPay_Webhooks::verify() on the named engine, through the plugin's autoloader, as
 * a receiver calls it (a mismatch throws, so it is caught). Control: the same engine's HMAC
 * (sign()), then an early-exit loop over the 64 hex characters in PHP. Timer: hrtime(true).
 *
 * @package CasPay_Webhooks
 */

define( 'CASPAY_WEBHOOKS_LIBRARY', dirname( __DIR__, 2 ) . '/wordpress-plugin/includes' );
require CASPAY_WEBHOOKS_LIBRARY . '/autoload.php';

if ( $argc !== 4 || ! in_array( $argv[1], array( 'wasm', 'php' ), true ) || (int) $argv[2] <= 0 ) {
	fwrite( STDERR, "usage: php ct/php/measure.php wasm|php SAMPLES_PER_CLASS OUT_DIR\n" );
	exit( 2 );
}
list( , $engine_name, $per_class, $out_dir ) = $argv;
$per_class = (int) $per_class;

$inputs = json_decode( file_get_contents( dirname( __DIR__ ) . '/inputs.json' ), true );
$body   = $inputs['body'];
$secret = $inputs['secret'];

// create(), not select(): a WebAssembly engine that cannot run must fail here, never fall
// back to PHP and be reported under the wrong name.
$engine   = CasPay_Engine_Selector::create( $engine_name );
$webhooks = new CasPay_Webhooks( $engine );

$good       = hex2bin( $webhooks->sign( $body, $secret ) );
$flipped    = static function ( $at ) use ( $good ) {
	$digest        = $good;
	$digest[ $at ] = chr( ord( $digest[ $at ] ) ^ 0x11 );
	return bin2hex( $digest );
};
// Equal, first byte different, last byte different, and first byte different again: that
// A/A pair has nothing to tell apart, so any |t| it shows is the harness's own noise.
$signatures = array( bin2hex( $good ), $flipped( 0 ), $flipped( 31 ), $flipped( 0 ) );

/**
 * A new string holding the signature of `$class`, as each request brings its own header:
 * one fixed string per class would let the class decide where its bytes live, and that
 * alone moves timings. Every class's copy is made by the same operations from the one
 * right digest: both bytes are rewritten for every class, with masks computed from the
 * class number, without a branch or a per-class value to read. (Copied from a source
 * string per class, two copies of one signature were told apart, A/A |t| 10.5 at 4M
 * samples; with only the changed byte rewritten, at a class-dependent offset, first vs
 * last reached |t| 11.6 in the pure-PHP engine, where hash_equals compares.)
 */
$fresh_signature = static function ( $class ) use ( $good ) {
	$first       = 0x11 * ( $class & 1 );
	$last        = 0x11 * ( ( $class >> 1 ) & ~$class & 1 );
	$digest      = $good;
	$digest[0]   = chr( ord( $digest[0] ) ^ $first );
	$digest[31]  = chr( ord( $digest[31] ) ^ $last );
	return bin2hex( $digest );
};
foreach ( $signatures as $class => $signature ) {
	if ( $fresh_signature( $class ) !== $signature ) {
		fwrite( STDERR, "ct: the fresh signature of class $class is not the class's signature\n" );
		exit( 1 );
	}
}

$real = static function ( $signature ) use ( $webhooks, $body, $secret ) {
	try {
		$webhooks->verify( $body, $signature, $secret );
		return true;
	} catch ( CasPay_Webhook_Exception $e ) {
		return false;
	}
};

// The known-leaky control: returns at the first differing character.
$control = static function ( $signature ) use ( $engine, $body, $secret ) {
	$expected = $engine->sign( $body, $secret );
	$length   = strlen( $expected );
	if ( strlen( $signature ) !== $length ) {
		return false;
	}
	for ( $i = 0; $i < $length; $i++ ) {
		if ( $expected[ $i ] !== $signature[ $i ] ) {
			return false;
		}
	}
	return true;
};

if ( ! $real( $signatures[0] ) || $real( $signatures[1] ) || ! $control( $signatures[0] ) || $control( $signatures[2] ) ) {
	fwrite( STDERR, "ct: the classes do not give the expected outcomes\n" );
	exit( 1 );
}

/**
 * Times `$check` over `$per_class` samples of each class in a random order and writes them
 * (class in bits 30-31, nanoseconds in bits 0-29, little-endian u32) to `$path`.
 */
$measure = static function ( $check, $path ) use ( $signatures, $fresh_signature, $per_class ) {
	for ( $i = 0; $i < 20000; $i++ ) {
		$check( $signatures[ $i % count( $signatures ) ] );
	}
	$classes = array();
	for ( $i = 0; $i < count( $signatures ) * $per_class; $i++ ) {
		$classes[] = $i % count( $signatures );
	}
	shuffle( $classes );
	$samples = array();
	foreach ( $classes as $class ) {
		// A new string per call, as each request brings its own header: one fixed string per
		// class would let the class decide where its bytes live, and that alone moves timings.
		$signature = $fresh_signature( $class );
		$start     = hrtime( true );
		$check( $signature );
		$elapsed   = hrtime( true ) - $start;
		$samples[] = ( $class << 30 ) | min( $elapsed, 0x3fffffff );
	}
	$file = fopen( $path, 'wb' );
	foreach ( array_chunk( $samples, 65536 ) as $chunk ) {
		fwrite( $file, pack( 'V*', ...$chunk ) );
	}
	fclose( $file );
};

$host = 'wasm' === $engine_name ? 'php-wasm' : 'php';
$measure( $real, "$out_dir/$host-real.u32" );
$measure( $control, "$out_dir/$host-control.u32" );

$is_wasm = 'wasm' === $engine_name;
file_put_contents(
	"$out_dir/$host.json",
	json_encode(
		array(
			'host'    => $is_wasm ? 'PHP library, WebAssembly engine' : 'PHP library, pure-PHP engine',
			'runtime' => 'PHP ' . PHP_VERSION . ( $is_wasm ? ', FFI + Wasmtime' : ', hash_hmac + hash_equals' ),
			'unit'    => 'ns',
			'real'    => 'CasPay_Webhooks::verify (throws on a mismatch)',
			'control' => 'same HMAC (the engine\'s sign()), then an early-exit loop over the hex characters',
		)
	)
);
