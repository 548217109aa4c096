<?php
/**
 * The warm part of the PHP benchmark: one PHP process, everything loaded, the plugin's
 * public API (CasPay_Webhooks::construct and ::verify, as a merchant or the plugin calls
 * them) on each engine against the hand-written hash_hmac + hash_equals (+ json_decode).
 *
 *   php -d ffi.enable=1 bench/php/warm.php BODIES.json > warm.json
 *
 * BODIES.json is bench/php/bodies.mjs's output. Alternatives take turns within every round
 * (BENCH_ROUNDS rounds of BENCH_ROUND_MS each), so drift on a shared machine hits all of
 * them alike; the result is the median of the rounds' per-call times, in microseconds.
 *
 * @package CasPay_Webhooks
 */

// phpcs:disable WordPress.WP.AlternativeFunctions, WordPress.Security.EscapeOutput

require dirname( __DIR__, 2 ) . '/wordpress-plugin/includes/autoload.php';

$caspay_input  = json_decode( file_get_contents( $argv[1] ), true );
$caspay_rounds = (int) ( getenv( 'BENCH_ROUNDS' ) ?: 15 );
$caspay_ms     = (float) ( getenv( 'BENCH_ROUND_MS' ) ?: 60 );

/**
 * Median of a list of numbers.
 *
 * @param float[] $values Values.
 * @return float
 */
function caspay_bench_median( array $values ) {
	sort( $values );
	$middle = intdiv( count( $values ), 2 );
	return count( $values ) % 2 ? $values[ $middle ] : ( $values[ $middle - 1 ] + $values[ $middle ] ) / 2;
}

/**
 * Runs the alternatives in interleaved rounds; returns name => median microseconds per call.
 *
 * @param callable[] $alternatives Name => function.
 * @param int        $rounds       Rounds.
 * @param float      $round_ms     Milliseconds per alternative per round.
 * @return array<string, float>
 */
function caspay_bench_measure( array $alternatives, $rounds, $round_ms ) {
	$samples = array();
	foreach ( $alternatives as $name => $run ) {
		for ( $i = 0; $i < 2000; $i++ ) {
			$run();
		}
		$samples[ $name ] = array();
	}
	$budget = (int) ( $round_ms * 1e6 );
	for ( $round = 0; $round < $rounds; $round++ ) {
		foreach ( $alternatives as $name => $run ) {
			$calls = 0;
			$start = hrtime( true );
			do {
				for ( $i = 0; $i < 32; $i++ ) {
					$run();
				}
				$calls  += 32;
				$elapsed = hrtime( true ) - $start;
			} while ( $elapsed < $budget );
			$samples[ $name ][] = $elapsed / 1000 / $calls;
		}
	}
	return array_map( 'caspay_bench_median', $samples );
}

$caspay_wasm = new CasPay_Webhooks( 'wasm' );
if ( 'wasm' !== $caspay_wasm->engine()->name() ) {
	fwrite( STDERR, 'warm.php: the WebAssembly engine did not load: ' . $caspay_wasm->engine_reason() . "\n" );
	exit( 1 );
}
$caspay_php = new CasPay_Webhooks( 'php' );
// The same engine as under an address-space limit (`ulimit -v`): bounds checked, no guard pages.
$caspay_checked = new CasPay_Webhooks( 'wasm', array( 'guard_pages' => false ) );
$caspay_out = array(
	'php'       => PHP_VERSION,
	'opcache'   => function_exists( 'opcache_get_status' ) && false !== @opcache_get_status( false ), // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged
	'rounds'    => $caspay_rounds,
	'round_ms'  => $caspay_ms,
	'memory'    => $caspay_wasm->engine()->details()['memory'],
	'checked'   => $caspay_checked->engine()->details()['memory'],
	'bodies'    => array(),
);

foreach ( $caspay_input['bodies'] as $caspay_body ) {
	$body      = $caspay_body['text'];
	$signature = $caspay_body['signature'];
	$secret    = $caspay_input['secret'];

	// Same answers before timing anything: equal events from both engines, a real check.
	$event = $caspay_wasm->construct( $body, $signature, $secret );
	if ( $event !== $caspay_php->construct( $body, $signature, $secret ) || $event !== $caspay_checked->construct( $body, $signature, $secret ) || ! hash_equals( hash_hmac( 'sha256', $body, $secret ), $signature ) ) {
		fwrite( STDERR, "warm.php: the engines disagree on {$caspay_body['label']}\n" );
		exit( 1 );
	}

	// Where the WebAssembly engine's time goes: its private steps, reached with
	// Closure::bind (a benchmark's look inside, not an API), measured in the same rounds as
	// verify + parse so the parts compare with the whole.
	$engine = $caspay_wasm->engine();
	$step   = static function ( $fn ) use ( $engine ) {
		return Closure::bind( $fn, $engine, CasPay_Wasm_Engine::class );
	};
	$core   = $step(
		function ( $body, $signature, $secret ) {
			$this->write_input( $body . $signature . $secret );
			return $this->call( 'caspay_construct_php', array( strlen( $body ), strlen( $signature ), strlen( $secret ), CasPay_Webhooks::DEFAULT_MAX_PAYLOAD_BYTES, CasPay_Webhooks::DEFAULT_MAX_DEPTH, -1, 0 ) );
		}
	);
	$read   = $step(
		function () {
			return $this->read_output();
		}
	);
	$empty  = $step(
		function () {
			return $this->call( 'caspay_abi_version' );
		}
	);
	if ( 0 !== $core( $body, $signature, $secret ) ) {
		fwrite( STDERR, "warm.php: caspay_construct_php failed on {$caspay_body['label']}\n" );
		exit( 1 );
	}
	$output    = $read();
	$construct = caspay_bench_measure(
		array(
			'hand'    => static function () use ( $body, $signature, $secret ) {
				if ( ! hash_equals( hash_hmac( 'sha256', $body, $secret ), $signature ) ) {
					throw new RuntimeException( 'bad signature' );
				}
				return json_decode( $body, true );
			},
			'wasm'    => static function () use ( $caspay_wasm, $body, $signature, $secret ) {
				return $caspay_wasm->construct( $body, $signature, $secret );
			},
			'php'     => static function () use ( $caspay_php, $body, $signature, $secret ) {
				return $caspay_php->construct( $body, $signature, $secret );
			},
			'checked' => static function () use ( $caspay_checked, $body, $signature, $secret ) {
				return $caspay_checked->construct( $body, $signature, $secret );
			},
			'core'    => static function () use ( $core, $body, $signature, $secret ) {
				return $core( $body, $signature, $secret );
			},
			'read'    => $read,
			'decode'  => static function () use ( $output ) {
				return unserialize( $output, array( 'allowed_classes' => false, 'max_depth' => CasPay_Webhooks::DEFAULT_MAX_DEPTH + 8 ) ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.serialize_unserialize -- the engine's own step.
			},
			'empty'   => $empty,
		),
		$caspay_rounds,
		$caspay_ms
	);
	$breakdown = array_intersect_key( $construct, array_flip( array( 'core', 'read', 'decode', 'empty' ) ) );
	$verify    = caspay_bench_measure(
		array(
			'hand' => static function () use ( $body, $signature, $secret ) {
				return hash_equals( hash_hmac( 'sha256', $body, $secret ), $signature );
			},
			'wasm' => static function () use ( $caspay_wasm, $body, $signature, $secret ) {
				return $caspay_wasm->verify( $body, $signature, $secret );
			},
			'php'  => static function () use ( $caspay_php, $body, $signature, $secret ) {
				return $caspay_php->verify( $body, $signature, $secret );
			},
		),
		$caspay_rounds,
		$caspay_ms
	);
	$parse     = caspay_bench_measure(
		array(
			'json_decode' => static function () use ( $body ) {
				return json_decode( $body, true );
			},
			'wasm'        => static function () use ( $caspay_wasm, $body ) {
				return $caspay_wasm->parse( $body );
			},
			'php'         => static function () use ( $caspay_php, $body ) {
				return $caspay_php->parse( $body );
			},
		),
		$caspay_rounds,
		$caspay_ms
	);
	$caspay_out['bodies'][] = array(
		'label'        => $caspay_body['label'],
		'bytes'        => strlen( $body ),
		'output_bytes' => strlen( $output ),
		'construct'    => $construct,
		'verify'       => $verify,
		'parse'        => $parse,
		'breakdown'    => $breakdown,
	);
}
echo json_encode( $caspay_out, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES ), "\n";
