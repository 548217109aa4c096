<?php
/**
 * The pure-PHP engine on bodies at the plugin's largest payload limit, under PCRE limits.
 *
 * @package CasPay_Webhooks
 */

use PHPUnit\Framework\TestCase;

/**
 * The settings allow payloads up to 16 MiB, and many hosts run PHP with lowered PCRE
 * limits (or without the JIT). The pure-PHP engine must then give the WebAssembly engine's
 * event, not an invalid_json: no regex may run over the body or over one of its tokens.
 */
final class PhpEngineLargeBodyTest extends TestCase {

	const SECRET = 'whsec_Kq8sT2vXw9yZ3bC5dF7gH1jL4mN6pR0t';

	/** The largest payload limit the settings accept. */
	const LIMIT = 16 * 1024 * 1024;

	/** PCRE settings under which any regex over a large input fails. */
	const PCRE_LIMITS = array(
		'pcre.jit'             => '0',
		'pcre.backtrack_limit' => '1000',
	);

	/**
	 * The PCRE settings before the test.
	 *
	 * @var array<string, string>
	 */
	private $saved = array();

	/** Memory both engines' events for a body this size need in one process. */
	const MEMORY_NEEDED = 512 * 1024 * 1024;

	/**
	 * Lowers the PCRE limits for the test, and makes sure PHP may use the memory it needs
	 * (whatever an earlier test left memory_limit at).
	 */
	protected function setUp(): void {
		$settings = self::PCRE_LIMITS;
		$memory   = (string) ini_get( 'memory_limit' );
		if ( '-1' !== $memory && self::bytes( $memory ) < self::MEMORY_NEEDED ) {
			$settings['memory_limit'] = (string) self::MEMORY_NEEDED;
		}
		foreach ( $settings as $name => $value ) {
			$previous = ini_set( $name, $value ); // phpcs:ignore WordPress.PHP.IniSet
			$this->assertNotFalse( $previous, "ini_set($name)" );
			$this->saved[ $name ] = $previous;
		}
	}

	/**
	 * Bytes of a php.ini size such as 512M.
	 *
	 * @param string $size Size.
	 * @return int
	 */
	private static function bytes( $size ) {
		$units = array(
			'k' => 1024,
			'm' => 1024 * 1024,
			'g' => 1024 * 1024 * 1024,
		);
		$unit  = strtolower( substr( $size, -1 ) );
		return (int) $size * ( $units[ $unit ] ?? 1 );
	}

	/**
	 * Restores the PCRE and memory limits.
	 */
	protected function tearDown(): void {
		foreach ( $this->saved as $name => $value ) {
			// PHP refuses a memory_limit below what the process already holds.
			if ( 'memory_limit' !== $name || '-1' === $value || self::bytes( $value ) > memory_get_usage( true ) ) {
				ini_set( $name, $value ); // phpcs:ignore WordPress.PHP.IniSet
			}
		}
	}

	/**
	 * The two large bodies.
	 *
	 * @return array
	 */
	public function large_bodies() {
		return array(
			'metadata with a string of about 16 MiB' => array( 'string' ),
			'metadata with a million numbers'        => array( 'numbers' ),
		);
	}

	/**
	 * A signed body of about 16 MiB is verified and parsed by the pure-PHP engine with the
	 * PCRE limits lowered, into exactly the WebAssembly engine's event.
	 *
	 * @dataProvider large_bodies
	 * @param string $kind Which body.
	 */
	public function test_large_signed_body_parses_like_the_webassembly_engine( $kind ) {
		// The limits are in force: matching a JSON string of 5000 escapes with a regex (as
		// the engine's JSON layer once did over the whole body) fails.
		$this->assertFalse( @preg_match( '/"(?:[^"\\\\]++|\\\\.)*+"/s', '"' . str_repeat( '\\n', 5000 ) . '"' ) ); // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged
		$this->assertSame( PREG_BACKTRACK_LIMIT_ERROR, preg_last_error() );

		$body = 'string' === $kind ? self::string_body() : self::numbers_body();
		$this->assertLessThanOrEqual( self::LIMIT, strlen( $body ) );
		$this->assertGreaterThan( 15 * 1024 * 1024, strlen( $body ) );
		$signature = hash_hmac( 'sha256', $body, self::SECRET );
		$options   = array( 'max_payload_bytes' => self::LIMIT );

		$php   = new CasPay_Webhooks( new CasPay_Php_Engine() );
		$event = $php->construct( $body, $signature, self::SECRET, $options );

		$this->assertSame( 'payment.received', $event['type'] );
		$this->assertStringStartsWith( 'sha256:', $event['idempotencyKey'] );
		$this->assertSame(
			array(
				'value' => '12.5',
				'unit'  => 'cspr',
				'motes' => '12500000000',
			),
			$event['payment']['amount']
		);
		if ( 'string' === $kind ) {
			$note = $event['payment']['metadata']['note'];
			$this->assertGreaterThan( 12 * 1024 * 1024, strlen( $note ) );
			$this->assertSame( "\"\\\n/é\u{1F680}\u{1F680}", substr( $note, 0, 14 ) );
		} else {
			$readings = $event['payment']['metadata']['readings'];
			$this->assertCount( 1000000, $readings );
			$this->assertSame( array( 7, -42, 12.5, '-0', '9007199254740993', '1e400', 0.0, array( 'fee_amount' => '0.25' ) ), array_slice( $readings, 0, 8 ) );
		}

		// The WebAssembly engine, with memory for a body this size, gives the same event.
		$wasm     = new CasPay_Webhooks(
			CasPay_Engine_Selector::create(
				'wasm',
				array(
					'memory_limit' => 256 * 1024 * 1024,
					'cache_dir'    => false,
				)
			)
		);
		$expected = $wasm->construct( $body, $signature, self::SECRET, $options );
		if ( $expected !== $event ) {
			$this->fail( 'the engines differ at ' . self::first_difference( $expected, $event, 'event' ) );
		}
		$this->assertSame( $expected['idempotencyKey'], $event['idempotencyKey'] );
	}

	/**
	 * A shape C payment whose metadata holds one string filling the body: every kind of
	 * escape and multi-byte UTF-8, so a tokenizer must walk the string rather than match it.
	 *
	 * @return string
	 */
	private static function string_body() {
		$head  = '{"event":"payment.received","data":{"payment_id":"pay_large","amount":12.5,"currency":"CSPR","metadata":{"note":"';
		$tail  = '","n":1}},"timestamp":"2026-11-27T10:00:00.000Z","merchant_id":"MERCH_large"}';
		$chunk = '\\"\\\\\\n\\/é\\ud83d\\ude80🚀 plain text between the escapes, ';
		$count = intdiv( self::LIMIT - strlen( $head ) - strlen( $tail ), strlen( $chunk ) );
		return $head . str_repeat( $chunk, $count ) . $tail;
	}

	/**
	 * A shape C payment whose metadata holds a pretty-printed list of a million numbers:
	 * plain integers, fractions, exponents, negative zero, integers beyond 2^53, a number
	 * beyond the float range, one below it, and objects with an amount key.
	 *
	 * @return string
	 */
	private static function numbers_body() {
		$head    = '{"event":"payment.received","data":{"payment_id":"pay_large","amount":12.5,"currency":"CSPR","metadata":{"readings":[';
		$tail    = ']}},"timestamp":"2026-11-27T10:00:00.000Z","merchant_id":"MERCH_large"}';
		$numbers = array( '7', '-42', '12.5', '-0', '9007199254740993', '1e400', '1e-400', '{"fee_amount":0.25}', '0.001', '1.5E+3', '-0.0', '123456789', '3.14159', '100000000000000000000000' );
		$items   = array();
		for ( $i = 0; $i < 1000000; $i++ ) {
			$items[] = $numbers[ $i % count( $numbers ) ];
		}
		$average = ( strlen( implode( '', $numbers ) ) / count( $numbers ) ) + 2;
		$indent  = str_repeat( ' ', (int) ( ( self::LIMIT - strlen( $head ) - strlen( $tail ) - 65536 ) / 1000000 - $average ) );
		return $head . implode( ",\n" . $indent, $items ) . $tail;
	}

	/**
	 * The path of the first difference between two values, to report a failure without
	 * printing megabytes.
	 *
	 * @param mixed  $expected Expected.
	 * @param mixed  $actual   Actual.
	 * @param string $path     Path so far.
	 * @return string
	 */
	private static function first_difference( $expected, $actual, $path ) {
		if ( is_array( $expected ) && is_array( $actual ) && array_keys( $expected ) === array_keys( $actual ) ) {
			foreach ( $expected as $key => $value ) {
				if ( $value !== $actual[ $key ] ) {
					return self::first_difference( $value, $actual[ $key ], $path . '.' . $key );
				}
			}
		}
		return $path . ': ' . substr( var_export( $expected, true ), 0, 200 ) . ' !== ' . substr( var_export( $actual, true ), 0, 200 );
	}
}
