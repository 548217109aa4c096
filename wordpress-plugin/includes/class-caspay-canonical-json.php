<?php
/**
 * The canonical form of a JSON body: what stays the same when CasPay re-sends an event.
 *
 * @package CasPay_Webhooks
 */

defined( 'ABSPATH' ) || defined( 'CASPAY_WEBHOOKS_LIBRARY' ) || exit;

/**
 * The port of the core's canonical form (src/canonical.rs), written from the tree
 * CasPay_Json decoded rather than from the text.
 *
 * CasPay stores each delivery's payload in a PostgreSQL `jsonb` column and re-sends it
 * through `JSON.stringify`, so one event can reach a receiver with other bytes: another key
 * order, other whitespace, other number spellings (`12.50` -> `12.5`), other escapes
 * (`\u00e9` -> `é`). Content keys (`sha256:` + the SHA-256 of this form) are the same for
 * all of them:
 * - objects: members sorted by the UTF-8 bytes of their unescaped keys; a repeated key
 *   counts once, with its last value (json_decode already kept only that one);
 * - strings: written with the fewest escapes (`\"`, `\\`, `\b \f \n \r \t`, other
 *   characters below U+0020 as `\u00xx`, everything else as UTF-8);
 * - numbers: one spelling per value (CasPay_Decimal::canonical());
 * - no whitespace; `true`, `false`, `null` and arrays as they are.
 */
final class CasPay_Canonical_Json {

	/**
	 * json_encode flags that give exactly the fewest-escapes form: nothing but `"`, `\` and
	 * control characters is escaped (U+2028/U+2029 included, which json_encode escapes by
	 * default), and control characters use lowercase hex as the core does.
	 */
	const STRING_FLAGS = JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_LINE_TERMINATORS;

	/**
	 * The content key of a decoded body: `sha256:` and the lowercase hex digest of its
	 * canonical form.
	 *
	 * @param mixed $decoded What CasPay_Json::decode() returned for the body.
	 * @return string
	 */
	public static function content_key( $decoded ) {
		return 'sha256:' . hash( 'sha256', self::encode( $decoded ) );
	}

	/**
	 * The canonical form of a decoded value.
	 *
	 * @param mixed $value What CasPay_Json::decode() returned, or a part of it.
	 * @return string
	 */
	public static function encode( $value ) {
		if ( ! is_array( $value ) ) {
			return self::scalar( $value );
		}
		$parts = array();
		if ( ! array_key_exists( CasPay_Json::OBJECT_KEY, $value ) ) {
			foreach ( $value as $item ) {
				$parts[] = is_array( $item ) ? self::encode( $item ) : self::scalar( $item );
			}
			return '[' . implode( ',', $parts ) . ']';
		}
		unset( $value[ CasPay_Json::OBJECT_KEY ] );
		$members = array();
		foreach ( $value as $key => $member ) {
			if ( is_string( $key ) && 0 === strncmp( $key, CasPay_Json::STRING_MARK, 2 ) ) {
				$key = substr( $key, 2 );
			}
			$members[ $key ] = $member;
		}
		ksort( $members, SORT_STRING );
		foreach ( $members as $key => $member ) {
			$parts[] = json_encode( (string) $key, self::STRING_FLAGS ) . ':' . ( is_array( $member ) ? self::encode( $member ) : self::scalar( $member ) );
		}
		return '{' . implode( ',', $parts ) . '}';
	}

	/**
	 * The canonical form of a decoded string, number or literal.
	 *
	 * @param mixed $value A decoded scalar.
	 * @return string
	 */
	private static function scalar( $value ) {
		if ( is_string( $value ) ) {
			if ( 0 !== strncmp( $value, CasPay_Json::MARK, 1 ) ) {
				return (string) json_encode( $value, self::STRING_FLAGS );
			}
			$text = (string) substr( $value, 2 );
			if ( 0 !== strncmp( $value, CasPay_Json::NUMBER_MARK, 2 ) ) {
				return (string) json_encode( $text, self::STRING_FLAGS );
			}
			$decimal = CasPay_Decimal::parse( $text );
			// The decoder checked the grammar; the text stays as sent if that ever changed.
			return null === $decimal ? $text : $decimal->canonical();
		}
		if ( is_int( $value ) ) {
			return self::integer( $value );
		}
		if ( true === $value ) {
			return 'true';
		}
		return false === $value ? 'false' : 'null';
	}

	/**
	 * The canonical spelling of a plain integer the decoder left to json_decode (at most 15
	 * digits): `0`, or the first digit, `.` and the other significant digits, `e` and the
	 * power of ten (`100` -> `1e2`, `-1250` -> `-1.25e3`).
	 *
	 * @param int $value The integer.
	 * @return string
	 */
	private static function integer( $value ) {
		if ( 0 === $value ) {
			return '0';
		}
		$digits      = (string) abs( $value );
		$significant = rtrim( $digits, '0' );
		$rest        = strlen( $significant ) > 1 ? '.' . substr( $significant, 1 ) : '';
		return ( $value < 0 ? '-' : '' ) . $significant[0] . $rest . 'e' . ( strlen( $digits ) - 1 );
	}
}
