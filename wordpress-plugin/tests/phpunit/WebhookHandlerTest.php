<?php
/**
 * The request handler's decisions and HTTP statuses, on both engines.
 *
 * @package CasPay_Webhooks
 */

use PHPUnit\Framework\TestCase;

/**
 * Real engines, real signatures; only the database is replaced by an in-memory store.
 */
final class WebhookHandlerTest extends TestCase {

	const SECRET   = 'whsec_Kq8sT2vXw9yZ3bC5dF7gH1jL4mN6pR0t';
	const PREVIOUS = 'whsec_0ldSecret0ldSecret0ldSecret0ld1';

	/**
	 * Events handed to the dispatcher.
	 *
	 * @var array[]
	 */
	private $dispatched = array();

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
	 * A body from parse.json by case name.
	 *
	 * @param string $name Case name.
	 * @return string
	 */
	private static function body( $name ) {
		return CasPay_Test_Vectors::bytes( CasPay_Test_Vectors::cases( 'parse.json' )[ $name ][0]['body'] );
	}

	/**
	 * A handler on an engine.
	 *
	 * @param string                       $engine  Engine name.
	 * @param CasPay_Memory_Delivery_Store $store   Store.
	 * @param array                        $secrets Secrets.
	 * @param array                        $options Options.
	 * @param callable|null                $listen  Dispatcher.
	 * @return CasPay_Webhook_Handler
	 */
	private function handler( $engine, $store, array $secrets = array( self::SECRET, self::PREVIOUS ), array $options = array(), $listen = null ) {
		$engine_object = 'wasm' === $engine ? CasPay_Test_Vectors::wasm_engine() : new CasPay_Php_Engine();
		$dispatched    = &$this->dispatched;
		$listen        = $listen ?: static function ( array $event ) use ( &$dispatched ) {
			$dispatched[] = $event;
		};
		return new CasPay_Webhook_Handler( new CasPay_Webhooks( $engine_object ), $secrets, $options, $store, $listen );
	}

	/**
	 * Genuine deliveries of every shape are received once, then answered as duplicates.
	 *
	 * @dataProvider engines
	 * @param string $engine Engine name.
	 */
	public function test_genuine_deliveries_are_received_once( $engine ) {
		$store   = new CasPay_Memory_Delivery_Store();
		$handler = $this->handler( $engine, $store );
		$names   = array( 'payment.completed in shape A', 'payment.received in shape B', 'payment.completed in shape C', 'subscription.created in shape A', 'subscription.renewed in shape B', 'subscription.cancelled in shape C' );
		foreach ( $names as $name ) {
			// The vectors reuse one event id per shape; give each delivery its own event.
			$body   = str_replace( '"evt_9d41e2_', '"evt_' . md5( $name ) . '_', self::body( $name ) );
			$answer = $handler->handle( $body, hash_hmac( 'sha256', $body, self::SECRET ) );
			$this->assertSame( 200, $answer['status'], $name );
			$this->assertSame( array( 'received' => true ), $answer['body'], $name );
			$again = $handler->handle( $body, hash_hmac( 'sha256', $body, self::SECRET ) );
			$this->assertSame( array( 200, array( 'duplicate' => true ), 'duplicate_event' ), array( $again['status'], $again['body'], $again['code'] ), $name );
		}
		$this->assertCount( count( $names ), $this->dispatched );
		$this->assertSame( 'c', $this->dispatched[2]['shape'] );
		$this->assertSame( 'subscription.canceled', $this->dispatched[5]['kind'] );
		$this->assertSame( $engine, $store->rows[0][2] );
	}

	/**
	 * Every rejection maps to its status and is logged; nothing is dispatched.
	 *
	 * @dataProvider engines
	 * @param string $engine Engine name.
	 */
	public function test_rejections_map_to_statuses( $engine ) {
		$store   = new CasPay_Memory_Delivery_Store();
		$handler = $this->handler( $engine, $store, array( self::SECRET ), array( 'max_payload_bytes' => 4096 ) );
		$body    = self::body( 'payment.completed in shape A' );
		$signed  = static function ( $bytes, $secret = self::SECRET ) {
			return hash_hmac( 'sha256', $bytes, $secret );
		};
		$big     = '{"type":"test.webhook","data":{"pad":"' . str_repeat( 'x', 5000 ) . '"}}';
		$cases   = array(
			'tampered body'    => array( str_replace( '100000000000', '900000000000', $body ), $signed( $body ), 401, 'signature_mismatch' ),
			'wrong secret'     => array( $body, $signed( $body, 'whsec_wrong' ), 401, 'signature_mismatch' ),
			'test button'      => array( $body, 'test_signature', 401, 'invalid_signature_format' ),
			'no signature'     => array( $body, null, 401, 'missing_signature' ),
			'too large'        => array( $big, $signed( $big ), 413, 'payload_too_large' ),
			'signed non-JSON'  => array( '{"type":', $signed( '{"type":' ), 400, 'invalid_json' ),
			'signed non-event' => array( '{"type":"payment.completed","data":{}}', $signed( '{"type":"payment.completed","data":{}}' ), 400, 'invalid_event' ),
			'parsed body'      => array( json_decode( $body, true ), $signed( $body ), 400, 'invalid_payload' ),
		);
		foreach ( $cases as $name => list( $bytes, $signature, $status, $code ) ) {
			$answer = $handler->handle( $bytes, $signature, 'payment.completed' );
			$this->assertSame( $status, $answer['status'], $name );
			$this->assertSame( $code, $answer['code'], $name );
			$this->assertSame( $code, $answer['body']['error']['code'], $name );
			$this->assertNotEmpty( $answer['body']['error']['message'], $name );
			$this->assertNull( $answer['event'], $name );
		}
		$this->assertSame( array(), $this->dispatched );
		$this->assertCount( count( $cases ), $store->rows );
		$this->assertSame( array( 'rejected', 'signature_mismatch', 401, 'payment.completed' ), $store->rows[0] );
	}

	/**
	 * Freshness is enforced when a tolerance is set, from the signed body only.
	 *
	 * @dataProvider engines
	 * @param string $engine Engine name.
	 */
	public function test_stale_event_is_rejected_with_tolerance( $engine ) {
		$body   = self::body( 'payment.completed in shape A' ); // created 1795773600.
		$store  = new CasPay_Memory_Delivery_Store();
		$stale  = $this->handler( $engine, $store, array( self::SECRET ), array( 'tolerance' => 300, 'now' => 1795773600 + 301 ) );
		$answer = $stale->handle( $body, hash_hmac( 'sha256', $body, self::SECRET ) );
		$this->assertSame( array( 400, 'timestamp_outside_tolerance' ), array( $answer['status'], $answer['code'] ) );
		$fresh  = $this->handler( $engine, $store, array( self::SECRET ), array( 'tolerance' => 300, 'now' => 1795773600 + 300 ) );
		$this->assertSame( 200, $fresh->handle( $body, hash_hmac( 'sha256', $body, self::SECRET ) )['status'] );
	}

	/**
	 * The previous secret verifies during a rotation; its index is recorded.
	 *
	 * @dataProvider engines
	 * @param string $engine Engine name.
	 */
	public function test_previous_secret_is_accepted( $engine ) {
		$store  = new CasPay_Memory_Delivery_Store();
		$body   = self::body( 'payment.completed in shape B' );
		$answer = $this->handler( $engine, $store )->handle( $body, 'sha256=' . hash_hmac( 'sha256', $body, self::PREVIOUS ) );
		$this->assertSame( 200, $answer['status'] );
		$this->assertSame( 1, $store->rows[0][3] );
	}

	/**
	 * Without a secret the endpoint answers 500 so CasPay retries once it is configured.
	 *
	 * @dataProvider engines
	 * @param string $engine Engine name.
	 */
	public function test_unconfigured_endpoint_asks_for_a_retry( $engine ) {
		$body   = self::body( 'payment.completed in shape A' );
		$answer = $this->handler( $engine, new CasPay_Memory_Delivery_Store(), array( '', '' ) )->handle( $body, hash_hmac( 'sha256', $body, self::SECRET ) );
		$this->assertSame( array( 500, 'invalid_secret' ), array( $answer['status'], $answer['code'] ) );
	}

	/**
	 * A failing listener releases the event, so the retry processes it again.
	 *
	 * @dataProvider engines
	 * @param string $engine Engine name.
	 */
	public function test_failing_listener_releases_the_event( $engine ) {
		$store    = new CasPay_Memory_Delivery_Store();
		$attempts = 0;
		$listen   = static function () use ( &$attempts ) {
			if ( 1 === ++$attempts ) {
				throw new RuntimeException( 'order service down' );
			}
		};
		$handler  = $this->handler( $engine, $store, array( self::SECRET ), array(), $listen );
		$body     = self::body( 'payment.completed in shape C' );
		$first    = $handler->handle( $body, hash_hmac( 'sha256', $body, self::SECRET ) );
		$this->assertSame( array( 500, 'internal_error' ), array( $first['status'], $first['code'] ) );
		$retry = $handler->handle( $body, hash_hmac( 'sha256', $body, self::SECRET ) );
		$this->assertSame( array( 200, array( 'received' => true ) ), array( $retry['status'], $retry['body'] ) );
		$this->assertSame( 2, $attempts );
		$this->assertSame( 'failed', $store->rows[1][0] );
	}

	/**
	 * A store failure is a 500, never a fatal error.
	 *
	 * @dataProvider engines
	 * @param string $engine Engine name.
	 */
	public function test_store_failure_asks_for_a_retry( $engine ) {
		$store            = new CasPay_Memory_Delivery_Store();
		$store->fail_with = new RuntimeException( 'database gone' );
		$body             = self::body( 'payment.completed in shape A' );
		$answer           = $this->handler( $engine, $store )->handle( $body, hash_hmac( 'sha256', $body, self::SECRET ) );
		$this->assertSame( array( 500, 'internal_error' ), array( $answer['status'], $answer['code'] ) );
		$this->assertSame( array(), $this->dispatched );
	}

	/**
	 * Dumps of the handler never show the secrets.
	 */
	public function test_debug_output_redacts_secrets() {
		$handler = $this->handler( 'php', new CasPay_Memory_Delivery_Store() );
		$dumps   = print_r( $handler, true ) . var_export( $handler, true ) . serialize( array_keys( (array) $handler ) ); // phpcs:ignore
		$this->assertStringNotContainsString( 'Kq8sT2vX', $dumps );
		$this->assertStringContainsString( '[REDACTED; 2]', print_r( $handler, true ) ); // phpcs:ignore
	}
}
