<?php
/**
 * The request handler's decisions and HTTP statuses, on both engines.
 *
 * @package CasPay_Webhooks
 */

use PHPUnit\Framework\TestCase;

/**
 * Real engines, real signatures, the real inbox; only the database is replaced by the
 * in-memory store and the clock by a variable.
 */
final class WebhookHandlerTest extends TestCase {

	const SECRET   = 'whsec_Kq8sT2vXw9yZ3bC5dF7gH1jL4mN6pR0t';
	const PREVIOUS = 'whsec_0ldSecret0ldSecret0ldSecret0ld1';

	/**
	 * Events handed to the listener, with their attempt numbers.
	 *
	 * @var array[]
	 */
	private $dispatched = array();

	/**
	 * Test clock.
	 *
	 * @var int
	 */
	private $now = 1800000000;

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
	 * The signature of a body.
	 *
	 * @param string $body   Body.
	 * @param string $secret Secret.
	 * @return string
	 */
	private static function sign( $body, $secret = self::SECRET ) {
		return hash_hmac( 'sha256', $body, $secret );
	}

	/**
	 * A handler on an engine.
	 *
	 * @param string                    $engine  Engine name.
	 * @param CasPay_Memory_Inbox_Store $store   Store.
	 * @param array                     $secrets Secrets.
	 * @param array                     $options Parse options.
	 * @param callable|null             $listen  The one listener (default: records the event).
	 * @param array                     $inbox   Inbox options.
	 * @return CasPay_Webhook_Handler
	 */
	private function handler( $engine, $store, array $secrets = array( self::SECRET, self::PREVIOUS ), array $options = array(), $listen = null, array $inbox = array() ) {
		$engine_object = 'wasm' === $engine ? CasPay_Test_Vectors::wasm_engine() : new CasPay_Php_Engine();
		$dispatched    = &$this->dispatched;
		$now           = &$this->now;
		$listen        = $listen ?: static function ( array $event, $attempt ) use ( &$dispatched ) {
			$dispatched[] = array( $event, $attempt );
		};
		$inbox         = new CasPay_Inbox(
			$store,
			static function () use ( $listen ) {
				return array( 'test|10|listener' => $listen );
			},
			$inbox + array(
				'lease_seconds' => 40,
				'clock'         => static function () use ( &$now ) {
					return $now;
				},
			)
		);
		return new CasPay_Webhook_Handler( new CasPay_Webhooks( $engine_object ), $secrets, $options, $inbox );
	}

	/**
	 * Status, body and outcome of an answer.
	 *
	 * @param array $answer The answer.
	 * @return array
	 */
	private static function summary( array $answer ) {
		return array( $answer['status'], $answer['body'], $answer['outcome'] );
	}

	/**
	 * Genuine deliveries of every shape are processed once, then answered as duplicates.
	 *
	 * @dataProvider engines
	 * @param string $engine Engine name.
	 */
	public function test_genuine_deliveries_are_processed_once( $engine ) {
		$store   = new CasPay_Memory_Inbox_Store();
		$handler = $this->handler( $engine, $store );
		$names   = array( 'payment.completed in shape A', 'payment.received in shape B', 'payment.completed in shape C', 'subscription.created in shape A', 'subscription.renewed in shape B', 'subscription.cancelled in shape C' );
		foreach ( $names as $name ) {
			// The vectors reuse one event id per shape; give each delivery its own event.
			$body = str_replace( array( '"evt_9d41e2_', '"MERCH_9d41e2' ), array( '"evt_' . md5( $name ) . '_', '"MERCH_' . md5( $name ) ), self::body( $name ) );
			$this->assertSame( array( 200, array( 'received' => true ), 'processed' ), self::summary( $handler->handle( $body, self::sign( $body ) ) ), $name );
			$this->assertSame( array( 200, array( 'duplicate' => true ), 'duplicate' ), self::summary( $handler->handle( $body, self::sign( $body ) ) ), $name );
		}
		$this->assertCount( count( $names ), $this->dispatched );
		$this->assertSame( 'c', $this->dispatched[2][0]['shape'] );
		$this->assertSame( 1, $this->dispatched[2][1], 'listeners get the attempt number' );
		$this->assertSame( 'subscription.canceled', $this->dispatched[5][0]['kind'] );
		$this->assertSame( $engine, current( $store->rows )['engine'] );
		$this->assertSame(
			array(
				'http duplicate 200 duplicate_event' => 6,
				'http processed 200'                 => 6,
			),
			$store->log_summary()
		);
	}

	/**
	 * A shape-C event re-serialized the ways CasPay re-sends it (key order of a jsonb
	 * column, pretty-printed, keys reversed) is one event: processed once.
	 *
	 * @dataProvider engines
	 * @param string $engine Engine name.
	 */
	public function test_reserialized_copies_are_one_event( $engine ) {
		$store   = new CasPay_Memory_Inbox_Store();
		$handler = $this->handler( $engine, $store );
		$bodies  = CasPay_Test_Reserialize::all( self::body( 'subscription.renewed in shape C' ) );
		$this->assertCount( 4, array_unique( $bodies ), 'four different byte strings' );
		$outcomes = array();
		foreach ( $bodies as $body ) {
			$outcomes[] = $handler->handle( $body, self::sign( $body ) )['outcome'];
		}
		$this->assertSame( array( 'processed', 'duplicate', 'duplicate', 'duplicate' ), $outcomes );
		$this->assertCount( 1, $this->dispatched );
		$this->assertCount( 1, $store->rows );
		$this->assertStringStartsWith( 'sha256:', (string) key( $store->rows ) );
	}

	/**
	 * Every rejection maps to its status and is logged, counted per code and minute;
	 * nothing is recorded in the inbox and nothing runs.
	 *
	 * @dataProvider engines
	 * @param string $engine Engine name.
	 */
	public function test_rejections_map_to_statuses( $engine ) {
		$store   = new CasPay_Memory_Inbox_Store();
		$handler = $this->handler( $engine, $store, array( self::SECRET ), array( 'max_payload_bytes' => 4096 ) );
		$body    = self::body( 'payment.completed in shape A' );
		$big     = '{"type":"test.webhook","data":{"pad":"' . str_repeat( 'x', 5000 ) . '"}}';
		$cases   = array(
			'tampered body'    => array( str_replace( '100000000000', '900000000000', $body ), self::sign( $body ), 401, 'signature_mismatch' ),
			'wrong secret'     => array( $body, self::sign( $body, 'whsec_wrong' ), 401, 'signature_mismatch' ),
			'test button'      => array( $body, 'test_signature', 401, 'invalid_signature_format' ),
			'no signature'     => array( $body, null, 401, 'missing_signature' ),
			'too large'        => array( $big, self::sign( $big ), 413, 'payload_too_large' ),
			'signed non-JSON'  => array( '{"type":', self::sign( '{"type":' ), 400, 'invalid_json' ),
			'signed non-event' => array( '{"type":"payment.completed","data":{}}', self::sign( '{"type":"payment.completed","data":{}}' ), 400, 'invalid_event' ),
			'parsed body'      => array( json_decode( $body, true ), self::sign( $body ), 500, 'invalid_payload' ),
			// Signed, but compressed on the way: what was signed cannot be checked.
			'gzip encoded'     => array( gzencode( $body ), self::sign( $body ), 415, 'unsupported_encoding', 'gzip' ),
		);
		foreach ( $cases as $name => $case ) {
			list( $bytes, $signature, $status, $code ) = $case;
			$answer = $handler->handle( $bytes, $signature, 'payment.completed', isset( $case[4] ) ? $case[4] : null );
			$this->assertSame( array( $status, $code, $code, 'rejected' ), array( $answer['status'], $answer['code'], $answer['body']['error']['code'], $answer['outcome'] ), $name );
			$this->assertNotEmpty( $answer['body']['error']['message'], $name );
			$this->assertNull( $answer['event'], $name );
		}
		$this->assertSame( array(), $this->dispatched );
		$this->assertSame( array(), $store->rows );
		$this->assertSame(
			array(
				'http rejected 400 invalid_event'            => 1,
				'http rejected 400 invalid_json'             => 1,
				'http rejected 401 invalid_signature_format' => 1,
				'http rejected 401 missing_signature'        => 1,
				'http rejected 401 signature_mismatch'       => 2,
				'http rejected 413 payload_too_large'        => 1,
				'http rejected 415 unsupported_encoding'     => 1,
				'http rejected 500 invalid_payload'          => 1,
			),
			$store->log_summary()
		);
		$this->assertCount( 8, $store->log, 'the two signature mismatches of one minute share a row' );
		$identity = $handler->handle( $body, self::sign( $body ), 'payment.completed', 'identity' );
		$this->assertSame( 200, $identity['status'], 'Content-Encoding: identity is plain' );
		$this->assertSame( 'payment.completed', $store->log[0]['type'], 'the claimed type is logged' );
	}

	/**
	 * A flood of forged deliveries adds one log row per code and minute, with a counter.
	 */
	public function test_flood_of_rejections_is_counted_not_stored() {
		$store   = new CasPay_Memory_Inbox_Store();
		$handler = $this->handler( 'php', $store );
		$body    = self::body( 'payment.completed in shape A' );
		for ( $i = 0; $i < 500; $i++ ) {
			$this->now += ( 0 === $i % 250 ) ? 60 : 0;
			$handler->handle( $body, self::sign( $body, 'whsec_attacker' . $i ), 'x' . $i );
			$handler->handle( $body, null );
		}
		$this->assertCount( 4, $store->log, 'two minutes × two codes' );
		$this->assertSame( array( 250, 250, 250, 250 ), array_column( $store->log, 'hits' ) );
	}

	/**
	 * Freshness is enforced when a tolerance is set, from the signed body only.
	 *
	 * @dataProvider engines
	 * @param string $engine Engine name.
	 */
	public function test_stale_event_is_rejected_with_tolerance( $engine ) {
		$body   = self::body( 'payment.completed in shape A' ); // created 1795773600.
		$store  = new CasPay_Memory_Inbox_Store();
		$stale  = $this->handler( $engine, $store, array( self::SECRET ), array( 'tolerance' => 300, 'now' => 1795773600 + 301 ) );
		$answer = $stale->handle( $body, self::sign( $body ) );
		$this->assertSame( array( 400, 'timestamp_outside_tolerance' ), array( $answer['status'], $answer['code'] ) );
		$fresh = $this->handler( $engine, $store, array( self::SECRET ), array( 'tolerance' => 300, 'now' => 1795773600 + 300 ) );
		$this->assertSame( 200, $fresh->handle( $body, self::sign( $body ) )['status'] );
	}

	/**
	 * The previous secret verifies during a rotation; its index is recorded.
	 *
	 * @dataProvider engines
	 * @param string $engine Engine name.
	 */
	public function test_previous_secret_is_accepted( $engine ) {
		$store  = new CasPay_Memory_Inbox_Store();
		$body   = self::body( 'payment.completed in shape B' );
		$answer = $this->handler( $engine, $store )->handle( $body, 'sha256=' . self::sign( $body, self::PREVIOUS ) );
		$this->assertSame( 200, $answer['status'] );
		$this->assertSame( 1, current( $store->rows )['secret_index'] );
		$this->assertSame( 1, $store->log[0]['secret_index'] );
	}

	/**
	 * Without a secret the endpoint answers 500 so CasPay retries once it is configured.
	 *
	 * @dataProvider engines
	 * @param string $engine Engine name.
	 */
	public function test_unconfigured_endpoint_asks_for_a_retry( $engine ) {
		$body   = self::body( 'payment.completed in shape A' );
		$answer = $this->handler( $engine, new CasPay_Memory_Inbox_Store(), array( '', '' ) )->handle( $body, self::sign( $body ) );
		$this->assertSame( array( 500, 'invalid_secret' ), array( $answer['status'], $answer['code'] ) );
	}

	/**
	 * A failing listener: 500 (CasPay retries) with the exception in the log; a copy before
	 * the next attempt is due gets 409 and Retry-After; the retry after it runs again.
	 *
	 * @dataProvider engines
	 * @param string $engine Engine name.
	 */
	public function test_failing_listener_answers_500_and_is_retried( $engine ) {
		$store    = new CasPay_Memory_Inbox_Store();
		$attempts = array();
		$listen   = static function ( $event, $attempt ) use ( &$attempts ) {
			$attempts[] = $attempt;
			if ( 1 === $attempt ) {
				throw new RuntimeException( 'order service down' );
			}
		};
		$handler  = $this->handler( $engine, $store, array( self::SECRET ), array(), $listen );
		$body     = self::body( 'payment.completed in shape C' );
		$first    = $handler->handle( $body, self::sign( $body ) );
		$this->assertSame( array( 500, 'processing_failed', 'failed' ), array( $first['status'], $first['code'], $first['outcome'] ) );
		$this->assertStringContainsString( 'RuntimeException: order service down', $store->log[0]['message'], 'the exception is shown in the log' );
		$this->assertSame( 1, $store->log[0]['attempt'] );

		$this->now += 3;
		$early      = $handler->handle( $body, self::sign( $body ) );
		$this->assertSame( array( 409, 'retry_scheduled' ), array( $early['status'], $early['code'] ) );
		$this->assertSame( array( 'Retry-After' => '7' ), $early['headers'] );

		$this->now += 60;
		$this->assertSame( array( 200, array( 'received' => true ), 'processed' ), self::summary( $handler->handle( $body, self::sign( $body ) ) ) );
		$this->assertSame( array( 1, 2 ), $attempts );
		$this->assertSame( array( 200, array( 'duplicate' => true ), 'duplicate' ), self::summary( $handler->handle( $body, self::sign( $body ) ) ) );
	}

	/**
	 * A copy while another request runs the event: 409 with the lease's remaining seconds.
	 *
	 * @dataProvider engines
	 * @param string $engine Engine name.
	 */
	public function test_copy_during_processing_is_409_with_retry_after( $engine ) {
		$store   = new CasPay_Memory_Inbox_Store();
		$body    = self::body( 'payment.completed in shape A' );
		$during  = null;
		$handler = null;
		$listen  = function () use ( &$during, &$handler, $body ) {
			$this->now += 12;
			$during     = $handler->handle( $body, self::sign( $body ) );
		};
		$handler = $this->handler( $engine, $store, array( self::SECRET ), array(), $listen );
		$this->assertSame( 200, $handler->handle( $body, self::sign( $body ) )['status'] );
		$this->assertSame( array( 409, 'processing_in_progress' ), array( $during['status'], $during['code'] ) );
		$this->assertSame( array( 'Retry-After' => '28' ), $during['headers'] );
	}

	/**
	 * A dead event: further copies get 200 with its state (more deliveries cannot help).
	 *
	 * @dataProvider engines
	 * @param string $engine Engine name.
	 */
	public function test_dead_event_copies_are_200_with_state( $engine ) {
		$store   = new CasPay_Memory_Inbox_Store();
		$listen  = static function () {
			throw new RuntimeException( 'always' );
		};
		$handler = $this->handler( $engine, $store, array( self::SECRET ), array(), $listen, array( 'max_attempts' => 2 ) );
		$body    = self::body( 'payment.completed in shape A' );
		$this->assertSame( 500, $handler->handle( $body, self::sign( $body ) )['status'] );
		$this->now += 100;
		$last       = $handler->handle( $body, self::sign( $body ) );
		$this->assertSame( array( 500, 'dead' ), array( $last['status'], $last['outcome'] ) );
		$this->now += 100;
		$this->assertSame(
			array(
				200,
				array(
					'duplicate' => true,
					'state'     => 'dead',
				),
				'dead_copy',
			),
			self::summary( $handler->handle( $body, self::sign( $body ) ) )
		);
	}

	/**
	 * Copies of one event within a minute share a log row (a replayed delivery cannot flood it).
	 */
	public function test_repeated_copies_share_a_log_row() {
		$store   = new CasPay_Memory_Inbox_Store();
		$handler = $this->handler( 'php', $store );
		$body    = self::body( 'payment.completed in shape A' );
		for ( $i = 0; $i < 100; $i++ ) {
			$handler->handle( $body, self::sign( $body ) );
		}
		$this->assertSame( array( 1, 99 ), array_column( $store->log, 'hits' ) );
	}

	/**
	 * When nothing can be recorded the answer is 503 and nothing runs.
	 *
	 * @dataProvider engines
	 * @param string $engine Engine name.
	 */
	public function test_store_failure_is_503( $engine ) {
		$store            = new CasPay_Memory_Inbox_Store();
		$store->fail_with = new RuntimeException( 'database gone' );
		$body             = self::body( 'payment.completed in shape A' );
		$answer           = $this->handler( $engine, $store )->handle( $body, self::sign( $body ) );
		$this->assertSame( array( 503, 'store_unavailable' ), array( $answer['status'], $answer['code'] ) );
		$this->assertSame( array(), $this->dispatched );
	}

	/**
	 * Dumps of the handler never show the secrets.
	 */
	public function test_debug_output_redacts_secrets() {
		$handler = $this->handler( 'php', new CasPay_Memory_Inbox_Store() );
		$dumps   = print_r( $handler, true ) . var_export( $handler, true ) . serialize( array_keys( (array) $handler ) ); // phpcs:ignore
		$this->assertStringNotContainsString( 'Kq8sT2vX', $dumps );
		$this->assertStringContainsString( '[REDACTED; 2]', print_r( $handler, true ) ); // phpcs:ignore
	}
}
