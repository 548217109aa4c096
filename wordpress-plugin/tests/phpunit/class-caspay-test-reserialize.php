<?php
/**
 * The ways one CasPay event reaches a receiver as other bytes: CasPay keeps each delivery's
 * payload in a jsonb column and re-sends it through JSON.stringify. Used by PHPUnit and by
 * the end-to-end helper.
 *
 * @package CasPay_Webhooks
 */

/**
 * Re-serializations of a JSON body that keep its content: objects stay objects (decoded as
 * stdClass, so `{}` is not turned into `[]`), numbers are re-spelled the way JavaScript
 * writes them (`250.50` becomes `250.5`).
 */
final class CasPay_Test_Reserialize {

	/**
	 * As sent, in a jsonb column's key order, pretty-printed, keys reversed.
	 *
	 * @param string $body A JSON object.
	 * @return array<string, string>
	 */
	public static function all( $body ) {
		$value = json_decode( $body, false, 512, JSON_THROW_ON_ERROR );
		return array(
			'as-sent'  => $body,
			'jsonb'    => self::encode( self::reorder( $value, array( __CLASS__, 'jsonb_order' ) ) ),
			'pretty'   => (string) json_encode( $value, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE ),
			'reversed' => self::encode( self::reorder( $value, 'array_reverse' ) ),
		);
	}

	/**
	 * PostgreSQL's jsonb key order: shorter keys first, then bytewise.
	 *
	 * @param string[] $keys Keys.
	 * @return string[]
	 */
	public static function jsonb_order( array $keys ) {
		usort(
			$keys,
			static function ( $a, $b ) {
				return strlen( $a ) === strlen( $b ) ? strcmp( $a, $b ) : strlen( $a ) - strlen( $b );
			}
		);
		return $keys;
	}

	/**
	 * A value with the keys of every object put in the order $order gives.
	 *
	 * @param mixed    $value Decoded JSON (objects as stdClass).
	 * @param callable $order Keys in, keys out.
	 * @return mixed
	 */
	private static function reorder( $value, callable $order ) {
		if ( is_array( $value ) ) {
			return array_map(
				static function ( $item ) use ( $order ) {
					return self::reorder( $item, $order );
				},
				$value
			);
		}
		if ( ! is_object( $value ) ) {
			return $value;
		}
		$out = new stdClass();
		foreach ( call_user_func( $order, array_map( 'strval', array_keys( get_object_vars( $value ) ) ) ) as $key ) {
			$out->{$key} = self::reorder( $value->{$key}, $order );
		}
		return $out;
	}

	/**
	 * Compact JSON as JSON.stringify writes it.
	 *
	 * @param mixed $value Value.
	 * @return string
	 */
	private static function encode( $value ) {
		return (string) json_encode( $value, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE );
	}
}
