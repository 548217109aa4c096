<?php
/**
 * Both engines agree beyond the vectors: edge cases of the JSON layer and seeded random
 * mutations of the vector bodies.
 *
 * @package CasPay_Webhooks
 */

use PHPUnit\Framework\TestCase;

/**
 * Same outcome for the same bytes: an identical event (types included), or the same code,
 * field and (except for JSON syntax errors, whose wording is the parser's) message.
 */
final class EngineParityTest extends TestCase {

	/**
	 * Bodies that probe the pure-PHP JSON layer's rewriting and the core's rules.
	 */
	const EDGE_CASES = array(
		'{1:2}',
		'{"type":"test.webhook","data":{},1:2}',
		'{"type":"test.webhook","data":{"a":"x\\',
		'"abc\\1',
		'{"type":"test.webhook","data":{"\\u0000k":"\\u0000v","\\u0001o":1,"\\u0001n5":"\\u0001s"}}',
		'{"type":"test.webhook","data":{"":{},"0":[],"1":{"amount":1.50},"n":-0,"e":1E+2,"f":-1.5e-3,"big":123456789012345678901234567890}}',
		'{"type":"payment.completed","data":{"payment":{"id":"p","amount":"12.50","currency":"CSPR","metadata":{"amount":5,"nested":{"fee_amount":7}}}}}',
		'{"type":"payment.completed","data":{"payment":{"id":"p","amount":0,"currency":"CSPR","metadata":[]}}}',
		'{"type":"payment.completed","data":{"payment":{"id":"p","amount":"0.0","currency":"CSPR","metadata":{}}}}',
		'{"type":"payment.completed","data":{"payment":{"id":"p","amount":01,"currency":"CSPR"}}}',
		'{"type":"payment.completed","data":{"payment":{"id":"p","amount":"1.","currency":"CSPR"}}}',
		'{"type":"payment.completed","data":{"payment":{"id":"p","amount":"1\\n","currency":"CSPR"}}}',
		'{"type":"payment.completed","data":{"payment":{"id":"p","amount":-0,"currency":"CSPR"}}}',
		'{"type":"subscription.updated","data":{"object":{"subscription_id":"s","amount":null,"status":7}}}',
		'{"type":null,"event":"payment.received","data":{"payment_id":"","paymentId":"x","amount":1,"currency":"C"}}',
		'{"type":"test.webhook","event":"x","data":{"object":[]}}',
		'{"type":"test.webhook","data":{"object":null},"created":1.0}',
		'{"type":"test.webhook","data":{},"created":1e9}',
		'{"type":"test.webhook","data":{},"created":253402300799}',
		'{"type":"test.webhook","data":{},"created":253402300800}',
		'{"type":"test.webhook","data":{},"created":null,"timestamp":"2024-02-29T23:59:59.999-23:59"}',
		'{"type":"test.webhook","data":{},"timestamp":"1970-01-01T00:00:00+00:01"}',
		'{"type":"test.webhook","data":{},"timestamp":"9999-12-31T23:59:59-00:01"}',
		'{"type":"test.webhook","data":{},"timestamp":"2026-11-27T10:00:00.Z"}',
		'{"type":"test.webhook","data":{},"timestamp":"2026-11-27t10:00:00z"}',
		'{"type":"test.webhook","data":{},"timestamp":"2026-11-27T10:00:60Z"}',
		'{"type":"test.webhook","data":{},"livemode":null,"merchantId":"m","merchant_id":null}',
		"{\"type\":\"test.webhook\",\"data\":{\"s\":\"\x7f \xf0\x9f\x9a\x80\"}}",
		"{\"type\":\"test.webhook\",\"data\":{\"s\":\"\xed\xa0\x80\"}}",
		"{\"type\":\"test.webhook\",\"data\":{\"s\":\"\t\"}}",
		"\x0c{\"type\":\"test.webhook\",\"data\":{}}",
		'{"type":"test.webhook","data":{"s":"\\ud83d\\ude80\\u00e9\\/"}}',
		'{"type":"test.webhook","data":{"s":"\\ud83d x"}}',
		'{"type":"test.webhook","data":{"s":"\\x"}}',
		'{"type":"test.webhook","data":{}}  ',
		'{"type":"test.webhook","data":{}}{}',
		'[{"type":"test.webhook","data":{}}]',
		'{"type":"test.webhook","data":{"a":[1,2,{"amount":3}],"b":[[[]]]}}',
		'{"id":"","type":"x","data":{}}',
		'{"id":"evt","type":"payout.completed","data":{"amount":1}}',
		'{"type":"Payment.Completed","data":{}}',
		'{"type":"payment.completed","data":{"payment":{"id":"p","amount":1,"currency":"C","status":null,"transactionHash":"h","transaction_hash":5}}}',
		'',
		' ',
		'nul',
		'truex',
		'-',
		'{"a":1.}',
	);

	/**
	 * The outcome of parsing on one engine.
	 *
	 * @param CasPay_Webhooks $webhooks Facade.
	 * @param string          $body     Body.
	 * @return array
	 */
	private static function outcome( CasPay_Webhooks $webhooks, $body ) {
		try {
			return array( 'event' => CasPay_Test_Vectors::canonical( $webhooks->parse( $body, array( 'max_depth' => 6 ) ) ) );
		} catch ( CasPay_Webhook_Exception $e ) {
			return array(
				'code'    => $e->code_name,
				'field'   => $e->field,
				'message' => 'invalid_json' === $e->code_name ? '' : $e->getMessage(),
			);
		}
	}

	/**
	 * Asserts both engines agree on each body.
	 *
	 * @param string[] $bodies Bodies.
	 * @return array<string, int> Outcome counts, to check the bodies exercised something.
	 */
	private function assert_agreement( array $bodies ) {
		$php    = new CasPay_Webhooks( new CasPay_Php_Engine() );
		$wasm   = new CasPay_Webhooks( CasPay_Test_Vectors::wasm_engine() );
		$counts = array();
		foreach ( $bodies as $body ) {
			$expected = self::outcome( $wasm, $body );
			$this->assertSame( $expected, self::outcome( $php, $body ), 'body: ' . json_encode( $body, JSON_INVALID_UTF8_SUBSTITUTE ) );
			$key            = $expected['code'] ?? 'ok';
			$counts[ $key ] = ( $counts[ $key ] ?? 0 ) + 1;
		}
		return $counts;
	}

	/**
	 * Hand-picked edge cases.
	 */
	public function test_edge_cases() {
		$counts = $this->assert_agreement( self::EDGE_CASES );
		$this->assertGreaterThan( 5, $counts['ok'] ?? 0 );
		$this->assertGreaterThan( 5, $counts['invalid_json'] ?? 0 );
		$this->assertGreaterThan( 5, $counts['invalid_event'] ?? 0 );
	}

	/**
	 * Seeded random mutations of every vector body (insert, delete, replace a byte from
	 * JSON's own alphabet), so the JSON layer is exercised where it is hardest.
	 */
	public function test_mutated_vector_bodies() {
		mt_srand( 20261128 );
		$alphabet = str_split( '{}[]",:.-+eE0123456789\\u nulltrue/' );
		$alphabet = array_merge( $alphabet, array( "\x00", "\x01", "\xc3", "\xa9", '\\u0000', '\\ud800', '\\u0001n1' ) );
		$bodies   = array();
		foreach ( CasPay_Test_Vectors::cases( 'parse.json' ) as list( $case ) ) {
			$body = CasPay_Test_Vectors::bytes( $case['body'] );
			if ( strlen( $body ) > 4096 ) {
				continue;
			}
			for ( $i = 0; $i < 25; $i++ ) {
				$mutated = $body;
				for ( $edits = mt_rand( 1, 3 ); $edits > 0; $edits-- ) {
					$at      = mt_rand( 0, strlen( $mutated ) );
					$insert  = $alphabet[ mt_rand( 0, count( $alphabet ) - 1 ) ];
					$mutated = substr( $mutated, 0, $at ) . ( mt_rand( 0, 2 ) ? $insert : '' ) . substr( $mutated, $at + mt_rand( 0, 1 ) );
				}
				$bodies[] = $mutated;
			}
		}
		$counts = $this->assert_agreement( $bodies );
		$this->assertGreaterThan( 100, $counts['ok'] ?? 0 );
		$this->assertGreaterThan( 100, $counts['invalid_json'] ?? 0 );
		$this->assertGreaterThan( 50, $counts['invalid_event'] ?? 0 );
	}
}
