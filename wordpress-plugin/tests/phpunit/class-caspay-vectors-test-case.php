<?php
/**
 * The shared vectors, run against one engine.
 *
 * @package CasPay_Webhooks
 */

use PHPUnit\Framework\TestCase;

/**
 * Subclasses name the engine; every vector file runs against it through the public
 * facade, exactly as an integrator calls it.
 */
abstract class CasPay_Vectors_Test_Case extends TestCase {

	/**
	 * The engine under test.
	 *
	 * @return CasPay_Engine
	 */
	abstract protected static function engine();

	/**
	 * The facade on the engine under test.
	 *
	 * @return CasPay_Webhooks
	 */
	protected static function webhooks() {
		return new CasPay_Webhooks( static::engine() );
	}

	/**
	 * Cases of signature.json.
	 *
	 * @return array
	 */
	public function signature_cases() {
		return CasPay_Test_Vectors::cases( 'signature.json' );
	}

	/**
	 * Cases of parse.json.
	 *
	 * @return array
	 */
	public function parse_cases() {
		return CasPay_Test_Vectors::cases( 'parse.json' );
	}

	/**
	 * Cases of construct.json.
	 *
	 * @return array
	 */
	public function construct_cases() {
		return CasPay_Test_Vectors::cases( 'construct.json' );
	}

	/**
	 * Verify gives the expected outcome, sign the expected digest.
	 *
	 * @dataProvider signature_cases
	 * @param array $case A case.
	 */
	public function test_signature_vector( array $case ) {
		$webhooks = static::webhooks();
		$body     = CasPay_Test_Vectors::bytes( $case['body'] );
		$secret   = CasPay_Test_Vectors::bytes( $case['secret'] );
		try {
			$this->assertSame( 0, $webhooks->verify( $body, $case['signature'], $secret ) );
			$outcome = 'valid';
		} catch ( CasPay_Webhook_Exception $e ) {
			$outcome = $e->code_name;
			$this->assertNotSame( '', $e->getMessage() );
		}
		$this->assertSame( $case['expected'], $outcome );
		if ( isset( $case['digest'] ) ) {
			$this->assertSame( $case['digest'], $webhooks->sign( $body, $secret ) );
		}
	}

	/**
	 * Parse gives the expected event (deep, type-strict) or the expected error code and field.
	 *
	 * @dataProvider parse_cases
	 * @param array $case A case.
	 */
	public function test_parse_vector( array $case ) {
		$body = CasPay_Test_Vectors::bytes( $case['body'] );
		try {
			$event = static::webhooks()->parse( $body, CasPay_Test_Vectors::options( $case ) );
		} catch ( CasPay_Webhook_Exception $e ) {
			$this->assertArrayHasKey( 'error', $case['expected'], $e->code_name . ': ' . $e->getMessage() );
			$this->assertError( $case['expected']['error'], $e );
			return;
		}
		$this->assertArrayHasKey( 'event', $case['expected'], 'parsed, but an error was expected' );
		$this->assertSame( CasPay_Test_Vectors::canonical( $case['expected']['event'] ), CasPay_Test_Vectors::canonical( $event ) );
	}

	/**
	 * Construct checks in the fixed order and reports the matching secret.
	 *
	 * @dataProvider construct_cases
	 * @param array $case A case.
	 */
	public function test_construct_vector( array $case ) {
		$body = CasPay_Test_Vectors::bytes( $case['body'] );
		try {
			$result = static::webhooks()->construct_with_index( $body, $case['signature'], $case['secrets'], CasPay_Test_Vectors::options( $case ) );
		} catch ( CasPay_Webhook_Exception $e ) {
			$this->assertArrayHasKey( 'error', $case['expected'], $e->code_name . ': ' . $e->getMessage() );
			$this->assertError( $case['expected']['error'], $e );
			return;
		}
		$this->assertArrayHasKey( 'secretIndex', $case['expected'], 'accepted, but an error was expected' );
		$this->assertSame( (int) $case['expected']['secretIndex'], $result['secret_index'] );
		$this->assertSame( static::webhooks()->parse( $body ), $result['event'] );
	}

	/**
	 * Compares an error with {"code", "field"?}.
	 *
	 * @param array                    $expected Expected error.
	 * @param CasPay_Webhook_Exception $error    Thrown error.
	 */
	private function assertError( array $expected, CasPay_Webhook_Exception $error ) {
		$this->assertSame( $expected['code'], $error->code_name, $error->getMessage() );
		if ( array_key_exists( 'field', $expected ) ) {
			$this->assertSame( $expected['field'], $error->field, $error->getMessage() );
		}
		$this->assertSame( array_search( $error->code_name, CasPay_Webhook_Exception::CODES, true ) + 1, $error->getCode() );
	}
}
