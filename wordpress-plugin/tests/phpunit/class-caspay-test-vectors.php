<?php
/**
 * Reading the shared vectors in tests/vectors/ (format: tests/vectors/README.md).
 *
 * @package CasPay_Webhooks
 */

/**
 * The vectors every host runs unchanged, plus helpers to compare results strictly.
 */
final class CasPay_Test_Vectors {

	/**
	 * The directory holding signature.json, parse.json and construct.json.
	 *
	 * @return string
	 */
	public static function dir() {
		$dir = getenv( 'CASPAY_VECTORS_DIR' );
		return is_string( $dir ) && '' !== $dir ? $dir : dirname( __DIR__, 3 ) . '/tests/vectors';
	}

	/**
	 * The cases of one file, as [name => [case]] for a data provider.
	 *
	 * @param string $file File name.
	 * @return array
	 */
	public static function cases( $file ) {
		$path = self::dir() . '/' . $file;
		$json = file_get_contents( $path ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_get_contents_file_get_contents
		if ( false === $json ) {
			throw new RuntimeException( "Cannot read $path" );
		}
		$data  = json_decode( $json, true, 512, JSON_BIGINT_AS_STRING | JSON_THROW_ON_ERROR );
		$cases = array();
		foreach ( $data['cases'] as $case ) {
			$cases[ $case['name'] ] = array( $case );
		}
		if ( count( $cases ) !== count( $data['cases'] ) ) {
			throw new RuntimeException( "Duplicate case names in $path" );
		}
		return $cases;
	}

	/**
	 * Bytes from a spec: {"utf8"}, {"hex"} or {"repeat", "length"}.
	 *
	 * @param array $spec Byte spec.
	 * @return string
	 */
	public static function bytes( array $spec ) {
		if ( array_key_exists( 'utf8', $spec ) ) {
			return $spec['utf8'];
		}
		if ( array_key_exists( 'hex', $spec ) ) {
			return (string) hex2bin( $spec['hex'] );
		}
		$length = (int) $spec['length'];
		return substr( str_repeat( $spec['repeat'], intdiv( $length, strlen( $spec['repeat'] ) ) + 1 ), 0, $length );
	}

	/**
	 * The library options for a case's {"maxPayloadBytes", "toleranceSeconds", "now"}.
	 *
	 * @param array $case A case.
	 * @return array
	 */
	public static function options( array $case ) {
		$options = array();
		if ( isset( $case['options']['maxPayloadBytes'] ) ) {
			$options['max_payload_bytes'] = (int) $case['options']['maxPayloadBytes'];
		}
		if ( isset( $case['options']['toleranceSeconds'] ) ) {
			$options['tolerance'] = (int) $case['options']['toleranceSeconds'];
			$options['now']       = (int) $case['options']['now'];
		}
		return $options;
	}

	/**
	 * A value with associative arrays sorted by key, so assertSame() compares like the
	 * vectors' deep equality (key order ignored) while staying strict about types.
	 *
	 * @param mixed $value Any value.
	 * @return mixed
	 */
	public static function canonical( $value ) {
		if ( ! is_array( $value ) ) {
			return $value;
		}
		$value = array_map( array( __CLASS__, 'canonical' ), $value );
		if ( array_keys( $value ) !== range( 0, count( $value ) - 1 ) ) {
			ksort( $value, SORT_STRING );
		}
		return $value;
	}

	/**
	 * The WebAssembly engine: it must run here, a test run without it is a failure.
	 *
	 * @param array $config Runtime configuration (see CasPay_Wasm_Runtime::shared()).
	 * @return CasPay_Wasm_Engine
	 */
	public static function wasm_engine( array $config = array() ) {
		return CasPay_Engine_Selector::create( 'wasm', $config );
	}
}
