<?php
/**
 * The facade's argument checks, error contract and secret hygiene.
 *
 * @package CasPay_Webhooks
 */

use PHPUnit\Framework\TestCase;

/**
 * What integrators get wrong most often must come back as a typed, teaching error.
 */
final class WebhooksFacadeTest extends TestCase {

	const SECRET = 'whsec_Kq8sT2vXw9yZ3bC5dF7gH1jL4mN6pR0t';
	const BODY   = '{"id":"evt_1","type":"payment.completed","created":1640000000,"data":{"payment":{"id":"pay_1","amount":100000000000,"currency":"CSPR"}}}';

	/**
	 * Both engines.
	 *
	 * @return array
	 */
	public function engines() {
		return array(
			'php'  => array( 'php' ),
			'wasm' => array( 'wasm' ),
		);
	}

	/**
	 * The facade on an engine.
	 *
	 * @param string $engine Name.
	 * @return CasPay_Webhooks
	 */
	private static function webhooks( $engine ) {
		return new CasPay_Webhooks( 'wasm' === $engine ? CasPay_Test_Vectors::wasm_engine() : new CasPay_Php_Engine() );
	}

	/**
	 * Runs a call and returns the exception it throws.
	 *
	 * @param callable $call Call.
	 * @return CasPay_Webhook_Exception
	 */
	private function thrown( callable $call ) {
		try {
			$call();
		} catch ( CasPay_Webhook_Exception $e ) {
			return $e;
		}
		$this->fail( 'no CasPay_Webhook_Exception' );
	}

	/**
	 * Passing parsed JSON instead of the raw body says so.
	 *
	 * @dataProvider engines
	 * @param string $engine Name.
	 */
	public function test_parsed_body_is_invalid_payload( $engine ) {
		$webhooks = self::webhooks( $engine );
		$e        = $this->thrown(
			static function () use ( $webhooks ) {
				$webhooks->construct( json_decode( self::BODY, true ), hash_hmac( 'sha256', self::BODY, self::SECRET ), self::SECRET );
			}
		);
		$this->assertSame( 'invalid_payload', $e->code_name );
		$this->assertSame( 10, $e->getCode() );
		$this->assertStringContainsString( 'already-parsed JSON', $e->getMessage() );
		$this->assertSame( 'invalid_payload', $this->thrown( static function () use ( $webhooks ) {
			$webhooks->parse( null );
		} )->code_name );
	}

	/**
	 * Secrets are all checked before anything else, as the core builds its verifier first.
	 *
	 * @dataProvider engines
	 * @param string $engine Name.
	 */
	public function test_secrets_are_checked_first( $engine ) {
		$webhooks  = self::webhooks( $engine );
		$signature = hash_hmac( 'sha256', self::BODY, self::SECRET );
		foreach ( array( array(), array( self::SECRET, '' ), '', array( 42 ) ) as $secrets ) {
			$this->assertSame( 'invalid_secret', $this->thrown( static function () use ( $webhooks, $secrets ) {
				$webhooks->verify( self::BODY, 'test_signature', $secrets );
			} )->code_name );
		}
		$this->assertSame( 0, $webhooks->verify( self::BODY, " sha256=$signature\n", self::SECRET ) );
		$this->assertSame( 0, $webhooks->verify( self::BODY, strtoupper( $signature ), array( self::SECRET ) ) );
		$this->assertSame( 1, $webhooks->verify( self::BODY, $signature, array( 'whsec_new', self::SECRET ) ) );
		$this->assertSame( 'invalid_signature_format', $this->thrown( static function () use ( $webhooks, $signature ) {
			$webhooks->verify( self::BODY, array( $signature ), self::SECRET );
		} )->code_name );
		$this->assertSame( $signature, $webhooks->sign( self::BODY, self::SECRET ) );
	}

	/**
	 * Construct's order: size before signature, signature before JSON.
	 *
	 * @dataProvider engines
	 * @param string $engine Name.
	 */
	public function test_construct_order( $engine ) {
		$webhooks = self::webhooks( $engine );
		$this->assertSame( 'payload_too_large', $this->thrown( static function () use ( $webhooks ) {
			$webhooks->construct( self::BODY, 'test_signature', self::SECRET, array( 'max_payload_bytes' => 10 ) );
		} )->code_name );
		$this->assertSame( 'signature_mismatch', $this->thrown( static function () use ( $webhooks ) {
			$webhooks->construct( '{not json', hash_hmac( 'sha256', 'other', self::SECRET ), self::SECRET );
		} )->code_name );
		$event = $webhooks->construct( self::BODY, hash_hmac( 'sha256', self::BODY, self::SECRET ), self::SECRET, array( 'tolerance' => 60, 'now' => 1640000030 ) );
		$this->assertSame( array( 'value' => '100000000000', 'unit' => 'motes', 'motes' => '100000000000' ), $event['payment']['amount'] );
	}

	/**
	 * Options are validated, not silently ignored.
	 */
	public function test_bad_options_are_rejected() {
		$webhooks = self::webhooks( 'php' );
		foreach ( array( array( 'tolerence' => 5 ), array( 'max_payload_bytes' => '100' ), array( 'tolerance' => -1 ), array( 'max_depth' => 0 ) ) as $options ) {
			try {
				$webhooks->parse( self::BODY, $options );
				$this->fail( 'accepted ' . json_encode( $options ) );
			} catch ( InvalidArgumentException $e ) {
				$this->assertStringContainsString( 'CasPay option', $e->getMessage() );
			}
		}
	}

	/**
	 * Secrets never appear in dumps, string casts or exception traces.
	 */
	public function test_secrets_never_print() {
		$endpoint = new CasPay_Webhook_Endpoint( array( self::SECRET, 'whsec_PreviousSecretPreviousSecret12' ), array(), self::webhooks( 'php' ) );
		$dumps    = print_r( $endpoint, true ) . var_export( $endpoint, true ) . (string) $endpoint; // phpcs:ignore
		ob_start();
		var_dump( $endpoint ); // phpcs:ignore
		$dumps .= ob_get_clean();
		$this->assertStringNotContainsString( 'Kq8sT2vX', $dumps );
		$this->assertStringNotContainsString( 'PreviousSecret', $dumps );
		$this->assertStringContainsString( '[REDACTED; 2]', $dumps );
		$this->assertSame( 1, $endpoint->verify( self::BODY, hash_hmac( 'sha256', self::BODY, 'whsec_PreviousSecretPreviousSecret12' ) ) );

		$previous = ini_set( 'zend.exception_ignore_args', '0' );
		try {
			$e = $this->thrown( function () {
				self::webhooks( 'php' )->verify( self::BODY, str_repeat( '0', 64 ), self::SECRET );
			} );
			$this->assertStringNotContainsString( 'Kq8sT2vX', $e->getTraceAsString() );
		} finally {
			ini_set( 'zend.exception_ignore_args', (string) $previous );
		}
		$this->expectException( LogicException::class );
		serialize( $endpoint );
	}
}
