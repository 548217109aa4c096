<?php
/**
 * Both engines agree beyond the vectors: edge cases of the JSON layer, seeded random
 * mutations of the vector bodies, amounts in every shape and unit, and copies of one event
 * written the ways CasPay re-sends it.
 *
 * @package CasPay_Webhooks
 */

use PHPUnit\Framework\TestCase;

/**
 * Same outcome for the same bytes: an identical event (types and member order included, as
 * === compares PHP arrays), or the same code, field and (except for JSON syntax errors,
 * whose wording is the parser's) message.
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
		// Bodies that are valid JSON but not objects: grammar checked, value never converted.
		'1e400',
		' -0 ',
		'-0.0',
		'1e99999999999999999999',
		'-1e-400',
		'0',
		'"\\u0001n5"',
		'{}',
		'01',
		'1.',
		'1e',
		'+1',
		'.5',
		'-01',
		'1e+-5',
		'[1e400,-0]',
		// Numbers inside data and metadata that no host holds exactly stay text.
		'{"type":"test.webhook","data":{"a":9007199254740991,"b":9007199254740992,"c":-9007199254740991,"d":-9007199254740992,"e":1e400,"f":-1e400,"g":1e-400,"h":-1e-400,"i":-0,"j":-0.0,"k":0.0,"l":1.7976931348623157e308,"m":1.7976931348623159e308,"n":123456789012345678901234567890,"o":[18446744073709551616,-0,1e400,-0e5,0e-5],"p":1e1000000000000000000000,"q":999999999999999,"r":1000000000000000}}',
		'{"type":"payment.completed","data":{"payment":{"id":"p","amount":1,"currency":"CSPR","metadata":{"big":12345678901234567890,"inf":1e400,"nz":-0,"fee_amount":0.5,"totalAmount":9007199254740993,"amount":[1.5],"ok":1.5,"list":[{"amount":2e3}]}}}}',
		'{"event":"subscription.renewed","data":{"subscription_id":"s","amount":"1.5","currency":"cspr","metadata":{"n":-0,"m":1E400}},"timestamp":"2026-11-27T10:00:00Z"}',
		'{"type":"test.webhook","data":{"amount":1e400,"x_amount":-0,"yAmount":123456789012345678901234567890,"amount ":1e400,"Amount":-0}}',
		'{"type":"test.webhook","data":{"1e5":1e5,"-0":-0}}',
		'{"type":"test.webhook","data":{"a" :1.5e3 ,"b":[ -0 , 1e400 ]}}',
		// Repeated and numeric keys: the last value wins, in the first one's place.
		'{"type":"test.webhook","data":{"7":1,"x":{"a":1,"a":{"b":2}},"7":[],"-1":true,"01":null,"\u0037":"seven"}}',
		'{"type":"test.webhook","data":{"a":1.5e3:1}}',
		'{"type":"test.webhook","data":{"a":[1.5:2]}}',
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
			return array( 'event' => $webhooks->parse( $body, array( 'max_depth' => 6 ) ) );
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
	 * @return array<string, int> Outcome counts by code, `reason:<invalid_event reason>` and
	 *                            `unit:<amount unit>`, to check the bodies exercised something.
	 */
	private function assert_agreement( array $bodies ) {
		$php    = new CasPay_Webhooks( new CasPay_Php_Engine() );
		$wasm   = new CasPay_Webhooks( CasPay_Test_Vectors::wasm_engine() );
		$counts = array();
		foreach ( $bodies as $body ) {
			$expected = self::outcome( $wasm, $body );
			$this->assertSame( $expected, self::outcome( $php, $body ), 'body: ' . json_encode( $body, JSON_INVALID_UTF8_SUBSTITUTE ) );
			$seen = array( $expected['code'] ?? 'ok' );
			if ( isset( $expected['field'] ) && false !== strpos( $expected['message'], '`: ' ) ) {
				$seen[] = 'reason:' . substr( $expected['message'], strpos( $expected['message'], '`: ' ) + 3, -1 );
			}
			foreach ( array( 'payment', 'subscription' ) as $details ) {
				if ( isset( $expected['event'][ $details ]['amount']['unit'] ) ) {
					$seen[] = 'unit:' . $expected['event'][ $details ]['amount']['unit'];
				}
			}
			foreach ( $seen as $key ) {
				$counts[ $key ] = ( $counts[ $key ] ?? 0 ) + 1;
			}
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
	 * A raised max_depth is capped at the core's limit of 128 in both engines, so no body
	 * can make a walk over it exhaust a stack.
	 */
	public function test_nesting_is_capped_whatever_limit_is_asked_for() {
		$nested = static function ( $levels ) {
			return '{"type":"test.webhook","data":{"x":' . str_repeat( '[', $levels - 2 ) . str_repeat( ']', $levels - 2 ) . '}}';
		};
		foreach ( array( new CasPay_Webhooks( new CasPay_Php_Engine() ), new CasPay_Webhooks( CasPay_Test_Vectors::wasm_engine() ) ) as $webhooks ) {
			$event = $webhooks->parse( $nested( CasPay_Webhooks::MAX_DEPTH_LIMIT ), array( 'max_depth' => 100000 ) );
			$this->assertStringStartsWith( 'sha256:', $event['idempotencyKey'] );
			foreach ( array( CasPay_Webhooks::MAX_DEPTH_LIMIT + 1, 2045 ) as $levels ) {
				try {
					$webhooks->parse( $nested( $levels ), array( 'max_depth' => 100000 ) );
					$this->fail( $webhooks->engine()->name() . ": $levels levels were accepted" );
				} catch ( CasPay_Webhook_Exception $e ) {
					$this->assertSame( 'invalid_json', $e->code_name, $webhooks->engine()->name() . ": $levels levels" );
				}
			}
		}
	}

	/**
	 * Seeded random mutations of every vector body (insert, delete, replace a byte from
	 * JSON's own alphabet), so the JSON layer is exercised where it is hardest.
	 */
	public function test_mutated_vector_bodies() {
		mt_srand( 20261128 );
		$alphabet = str_split( '{}[]",:.-+eE0123456789\\u nulltrue/' );
		$alphabet = array_merge( $alphabet, array( "\x00", "\x01", "\xc3", "\xa9", '\\u0000', '\\ud800', '\\u0001n1', '1e400', '-0', 'e+99', '9007199254740993', '.5e-3' ) );
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

	/**
	 * Amounts across shapes, currencies and spellings (numbers and strings; fractions,
	 * exponents, signs, leading zeros, the U512 bound, 15-digit exponents): the same value,
	 * unit and motes, or the same invalid_event reason word for word, in both engines.
	 */
	public function test_amounts_in_every_shape_and_unit() {
		$amounts = array( '0', '0.0', '0e999999999999999999', '1', '12.5', '12.50', '1.5E+3', '1e-7', '1E-9', '1e-10', '1.0000000001', '100000000000', '1e21', '1e+21', '0.000000001', '1000000', '1e0000000000000000009', '1e1234567890123456', '1e-1234567890123456', '1.23456789012e3', str_repeat( '9', 155 ), str_repeat( '9', 156 ), '1e154', '1e155', '1e145', '1e146', '-5', '-0', '01', '1.', '.5', '+1', '1e', '0x10', ' 1', 'NaN', '' );
		mt_srand( 20261129 );
		for ( $i = 0; $i < 60; $i++ ) {
			$amounts[] = self::random_number();
		}
		$bodies = array();
		foreach ( $amounts as $amount ) {
			foreach ( array( '"CSPR"', '"cspr"', '"USD"', 'null' ) as $currency ) {
				foreach ( array( $amount, '"' . $amount . '"' ) as $value ) {
					$bodies[] = '{"id":"evt_a","type":"payment.completed","data":{"payment":{"id":"p","amount":' . $value . ',"currency":' . $currency . '}}}';
					$bodies[] = '{"id":"evt_b","type":"payment.completed","data":{"object":{"id":"p","amount":' . $value . ',"currency":' . $currency . '}}}';
					$bodies[] = '{"event":"payment.received","data":{"payment_id":"p","amount":' . $value . ',"currency":' . $currency . '},"timestamp":"2026-11-27T10:00:00Z"}';
					$bodies[] = '{"event":"subscription.renewed","data":{"subscription_id":"s","amount":' . $value . ',"currency":' . $currency . ',"status":"active"},"timestamp":"2026-11-27T10:00:00Z"}';
				}
			}
		}
		$counts = $this->assert_agreement( $bodies );
		foreach ( array( CasPay_Amount::NOT_DECIMAL, CasPay_Amount::TOO_PRECISE_CSPR, CasPay_Amount::TOO_PRECISE_MOTES, CasPay_Amount::TOO_LARGE, 'is missing' ) as $reason ) {
			$this->assertGreaterThan( 0, $counts[ 'reason:' . $reason ] ?? 0, $reason );
		}
		foreach ( array( 'motes', 'cspr', 'unknown' ) as $unit ) {
			$this->assertGreaterThan( 20, $counts[ 'unit:' . $unit ] ?? 0, $unit );
		}

		// A few results stated outright, so agreement on a wrong answer cannot pass.
		$php   = new CasPay_Webhooks( new CasPay_Php_Engine() );
		$cases = array(
			array( 'c', '12.5', 'CSPR', array( '12.5', 'cspr', '12500000000' ) ),
			array( 'c', '1e-7', 'cspr', array( '1e-7', 'cspr', '100' ) ),
			array( 'c', '"1000000"', 'CSPR', array( '1000000', 'cspr', '1000000000000000' ) ),
			array( 'a', '1e21', 'CSPR', array( '1e21', 'motes', '1000000000000000000000' ) ),
			array( 'a', '1.5E+3', 'CSPR', array( '1.5E+3', 'motes', '1500' ) ),
			array( 'a', '0e999999999999999999', 'CSPR', array( '0e999999999999999999', 'motes', '0' ) ),
			array( 'a', '12.50', 'USD', array( '12.50', 'unknown', null ) ),
		);
		foreach ( $cases as list( $shape, $amount, $currency, $expected ) ) {
			$body  = 'c' === $shape
				? '{"event":"payment.received","data":{"payment_id":"p","amount":' . $amount . ',"currency":"' . $currency . '"}}'
				: '{"type":"payment.completed","data":{"payment":{"id":"p","amount":' . $amount . ',"currency":"' . $currency . '"}}}';
			$event = $php->parse( $body );
			$this->assertSame( array_combine( array( 'value', 'unit', 'motes' ), $expected ), $event['payment']['amount'], $body );
			$this->assertSame( $expected[0], $event['data']['amount'] ?? $event['data']['payment']['amount'], $body );
		}
	}

	/**
	 * One event without an id, written the ways CasPay re-sends it (keys reordered as
	 * jsonb and JSON.stringify do, whitespace, other escapes, other number spellings, a
	 * repeated key whose last value wins): one content key in both engines. Each change of
	 * content gives another key.
	 */
	public function test_copies_of_an_event_share_one_content_key() {
		$events = array(
			array(
				'event'       => 'payment.received',
				'data'        => array(
					'payment_id' => 'pay_é/1',
					'amount'     => self::number( '12.5' ),
					'currency'   => 'CSPR',
					'payer'      => "01ab\u{1F680}<&'\">\u{2028}\t\x01",
					'metadata'   => array(
						"\x01o"   => "\x01n5",
						"\x00k"   => "\x00v",
						'zero'    => self::number( '-0' ),
						'big'     => self::number( '123456789012345678901' ),
						'huge'    => self::number( '1e400' ),
						'tiny'    => self::number( '1e-400' ),
						'hundred' => self::number( '100' ),
						'lines'   => array( array( 'sku' => 'a', 'qty' => self::number( '2' ), 'fee_amount' => self::number( '0.25' ) ), new stdClass(), array(), true, null ),
						'10'      => 'ten',
						'9'       => 'nine',
						'é'       => 'e acute',
						'z'       => 'last',
					),
				),
				'timestamp'   => '2026-11-27T10:00:00.000Z',
				'merchant_id' => 'MERCH_1',
			),
			array(
				'type' => 'subscription.renewed',
				'data' => array(
					'subscription' => array(
						'id'       => 'sub_1',
						'amount'   => self::number( '1000000000000' ),
						'currency' => 'CSPR',
						'metadata' => array( 'n' => self::number( '1.5e-3' ) ),
					),
				),
			),
		);
		mt_srand( 20261130 );
		for ( $i = 0; $i < 40; $i++ ) {
			$events[] = array(
				'type' => 'test.webhook',
				'data' => array(
					'x'   => self::random_value( 0 ),
					'seq' => self::number( (string) $i ),
				),
			);
		}
		$styles = array(
			array(),
			array( 'order' => 'reversed' ),
			array( 'order' => 'jsonb' ),
			array( 'pretty' => true ),
			array( 'escapes' => JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS | JSON_HEX_QUOT ),
			array( 'escapes' => 0 ),
			array( 'numbers' => 1 ),
			array( 'numbers' => 2 ),
			array( 'numbers' => 3 ),
			array( 'repeat' => true ),
			array(
				'order'   => 'jsonb',
				'pretty'  => true,
				'escapes' => 0,
				'numbers' => 2,
				'repeat'  => true,
			),
		);
		$php = new CasPay_Webhooks( new CasPay_Php_Engine() );
		$all = array();
		foreach ( $events as $index => $event ) {
			$copies = array();
			foreach ( $styles as $style ) {
				$copies[] = self::write( $event, $style );
			}
			$this->assert_agreement( $copies );
			$keys = array();
			foreach ( $copies as $copy ) {
				$keys[] = $php->parse( $copy )['idempotencyKey'];
			}
			$this->assertCount( 1, array_unique( $keys ), 'copies of event ' . $index . ': ' . $copies[0] );
			$this->assertStringStartsWith( 'sha256:', $keys[0] );
			$all[] = $keys[0];
		}
		$this->assertCount( count( $events ), array_unique( $all ), 'distinct events share a key' );

		$changes = array(
			array( 'data', 'amount', self::number( '12.51' ) ),
			array( 'data', 'payer', "01ab\u{1F680}<&'\">\u{2028}\t\x02" ),
			array( 'data', 'note', null ),
			array( 'data', 'metadata', 'big', self::number( '123456789012345678902' ) ),
			array( 'data', 'metadata', 'huge', self::number( '1e401' ) ),
			array( 'data', 'metadata', 'hundred', '100' ),
			array( 'data', 'metadata', 'lines', array( new stdClass(), array( 'sku' => 'a', 'qty' => self::number( '2' ), 'fee_amount' => self::number( '0.25' ) ), array(), true, null ) ),
			array( 'data', 'metadata', 'lines', array( array( 'sku' => 'a', 'qty' => self::number( '2' ), 'fee_amount' => self::number( '0.25' ) ), array(), new stdClass(), true, null ) ),
			array( 'timestamp', '2026-11-27T10:00:00.001Z' ),
		);
		$keys = array( $all[0] );
		foreach ( $changes as $change ) {
			$event = $events[0];
			$value = array_pop( $change );
			$slot  = &$event;
			foreach ( $change as $name ) {
				$slot = &$slot[ $name ];
			}
			$slot = $value;
			unset( $slot );
			$body = self::write( $event, array() );
			$this->assert_agreement( array( $body ) );
			$keys[] = $php->parse( $body )['idempotencyKey'];
		}
		$this->assertCount( count( $keys ), array_unique( $keys ), 'a change of content kept the key' );
	}

	/**
	 * A number in a test event tree: a string no event text starts with.
	 *
	 * @param string $text Number text.
	 * @return string
	 */
	private static function number( $text ) {
		return "\0#" . $text;
	}

	/**
	 * A random JSON number text: sign, leading zeros (sometimes), fraction, exponent with
	 * leading zeros or of more than 15 digits, from the seeded generator.
	 *
	 * @return string
	 */
	private static function random_number() {
		$integer  = 0 === mt_rand( 0, 3 ) ? '0' : mt_rand( 1, 9 ) . str_repeat( (string) mt_rand( 0, 9 ), mt_rand( 0, mt_rand( 0, 1 ) ? 3 : 30 ) );
		$text     = ( 0 === mt_rand( 0, 6 ) ? '-' : '' ) . $integer;
		$text    .= 0 === mt_rand( 0, 2 ) ? '.' . str_pad( (string) mt_rand( 0, 99999 ), mt_rand( 1, 14 ), (string) mt_rand( 0, 9 ), mt_rand( 0, 1 ) ? STR_PAD_LEFT : STR_PAD_RIGHT ) : '';
		$exponent = 0 === mt_rand( 0, 7 ) ? str_repeat( '7', mt_rand( 15, 17 ) ) : (string) mt_rand( 0, mt_rand( 0, 1 ) ? 20 : 400 );
		$text    .= 0 === mt_rand( 0, 2 ) ? ( mt_rand( 0, 1 ) ? 'e' : 'E' ) . array( '', '+', '-' )[ mt_rand( 0, 2 ) ] . str_repeat( '0', mt_rand( 0, 1 ) * mt_rand( 0, 18 ) ) . $exponent : '';
		return $text;
	}

	/**
	 * A random value for a test event tree, from the seeded generator.
	 *
	 * @param int $depth Current depth.
	 * @return mixed
	 */
	private static function random_value( $depth ) {
		$pick = mt_rand( 0, $depth > 2 ? 4 : 6 );
		if ( $pick < 2 ) {
			return self::number( self::random_number() );
		}
		if ( 2 === $pick ) {
			$pool = array( 'a', 'é', "\u{1F680}", '/', '"', '\\', "\n", "\x00", "\x01", "\x1f", "\x7f", "\u{2028}", 'amount', '1' );
			$text = '';
			for ( $i = mt_rand( 0, 4 ); $i > 0; $i-- ) {
				$text .= $pool[ mt_rand( 0, count( $pool ) - 1 ) ];
			}
			return $text;
		}
		if ( 3 === $pick ) {
			return array( true, false, null )[ mt_rand( 0, 2 ) ];
		}
		if ( 4 === $pick ) {
			return new stdClass();
		}
		$keys  = array( 'amount', 'fee_amount', 'totalAmount', 'a', 'b', 'B', 'é', 'ab', '', '0', '10', '9', "\x01o", "\x00k" );
		$value = array();
		for ( $i = mt_rand( 1, 4 ); $i > 0; $i-- ) {
			if ( 5 === $pick ) {
				$value[] = self::random_value( $depth + 1 );
			} else {
				$value[ $keys[ mt_rand( 0, count( $keys ) - 1 ) ] ] = self::random_value( $depth + 1 );
			}
		}
		return $value;
	}

	/**
	 * Writes a test event tree as JSON in a style. Style keys: `order` (as given,
	 * `reversed`, or `jsonb`: shorter keys first, then bytewise), `pretty`, `escapes`
	 * (json_encode flags for strings: 0 writes non-ASCII as \u escapes and `/` as `\/`),
	 * `numbers` (0 as given, or another spelling of the same value: 1 scientific with `E+`,
	 * 2 integer digits with an exponent, 3 trailing zeros) and `repeat` (each object first
	 * repeats its last key with a value the last one overrides).
	 *
	 * @param mixed $value Tree: arrays (lists or objects), stdClass for {}, strings,
	 *                     numbers from number(), true, false, null.
	 * @param array $style Style.
	 * @param int   $depth Indentation depth.
	 * @return string
	 */
	private static function write( $value, array $style, $depth = 0 ) {
		if ( is_string( $value ) && 0 === strncmp( $value, "\0#", 2 ) ) {
			return self::spell( substr( $value, 2 ), $style['numbers'] ?? 0 );
		}
		if ( is_string( $value ) ) {
			return (string) json_encode( $value, $style['escapes'] ?? JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES );
		}
		if ( ! is_array( $value ) && ! $value instanceof stdClass ) {
			return (string) json_encode( $value );
		}
		$pretty = ! empty( $style['pretty'] );
		$indent = $pretty ? "\n" . str_repeat( "\t", $depth + 1 ) : '';
		$close  = $pretty ? "\n" . str_repeat( "\t", $depth ) : '';
		if ( is_array( $value ) && array_values( $value ) === $value ) {
			$items = array();
			foreach ( $value as $item ) {
				$items[] = $indent . self::write( $item, $style, $depth + 1 );
			}
			return '[' . implode( ',', $items ) . $close . ']';
		}
		$value = (array) $value;
		$keys  = array_map( 'strval', array_keys( $value ) );
		if ( 'reversed' === ( $style['order'] ?? '' ) ) {
			$keys = array_reverse( $keys );
		} elseif ( 'jsonb' === ( $style['order'] ?? '' ) ) {
			usort(
				$keys,
				static function ( $a, $b ) {
					return strlen( $a ) - strlen( $b ) ?: strcmp( $a, $b );
				}
			);
		}
		$members = array();
		if ( ! empty( $style['repeat'] ) && $keys ) {
			$members[] = $indent . self::write( end( $keys ), $style ) . ':"overridden"';
		}
		foreach ( $keys as $key ) {
			$members[] = $indent . self::write( $key, $style ) . ( $pretty ? ' : ' : ':' ) . self::write( $value[ $key ], $style, $depth + 1 );
		}
		return '{' . implode( ',', $members ) . ( $members ? $close : '' ) . '}';
	}

	/**
	 * Another spelling of the same number (exponents of more than 15 digits stay as sent).
	 *
	 * @param string $text    Number text.
	 * @param int    $variant 0 as given; 1 `d.dddE+x`; 2 `ddde-x`; 3 trailing zeros.
	 * @return string
	 */
	private static function spell( $text, $variant ) {
		$exponent_at = strcspn( $text, 'eE' );
		$exponent    = (string) substr( $text, $exponent_at + 1 );
		if ( 0 === $variant || strlen( ltrim( ltrim( $exponent, '+-' ), '0' ) ) > 15 ) {
			return $text;
		}
		$negative = '-' === $text[0];
		$mantissa = substr( $text, $negative ? 1 : 0, $exponent_at - ( $negative ? 1 : 0 ) );
		$point    = strpos( $mantissa, '.' );
		$digits   = str_replace( '.', '', $mantissa );
		$power    = (int) $exponent - ( false === $point ? 0 : strlen( $mantissa ) - $point - 1 );
		$sign     = $negative ? '-' : '';
		// The value is DIGITS x 10^power.
		if ( 1 === $variant ) {
			$significant = ltrim( $digits, '0' );
			if ( '' === $significant ) {
				return $sign . '0.0E+00';
			}
			$power += strlen( $significant ) - 1;
			return $sign . $significant[0] . '.' . ( substr( $significant, 1 ) . '0' ) . 'E' . ( $power < 0 ? '-' : '+' ) . '0' . abs( $power );
		}
		if ( 2 === $variant ) {
			$significant = ltrim( $digits, '0' );
			return $sign . ( '' === $significant ? '0' : $significant ) . 'e' . $power;
		}
		return $sign . ( false === $point ? $mantissa . '.000' : $mantissa . '00' ) . ( $exponent_at < strlen( $text ) ? 'e' . $exponent : '' );
	}
}
