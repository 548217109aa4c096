<?php
/**
 * JSON with numbers kept as their exact text, for the pure-PHP engine.
 *
 * @package CasPay_Webhooks
 */

defined( 'ABSPATH' ) || defined( 'CASPAY_WEBHOOKS_LIBRARY' ) || exit;

/**
 * Parses JSON the way the Rust core does (serde_json with arbitrary precision), on top of
 * PHP's own json_decode.
 *
 * json_decode turns `12.50` into the float 12.5 and `100000000000000000000` into a float
 * too, and decoding to arrays makes `{}` and `[]` the same value. The core keeps the exact
 * text of every number and tells objects from lists, so before decoding one regex pass
 * outside strings rewrites:
 * - every number into a marker string "\x01n<text>",
 * - every object opening into one with a marker member "\x01o" (so `{}` stays an object),
 * - every string that could be mistaken for a marker (its text starts with \u0000 or
 *   \u0001) into "\x01s<original>".
 * After decoding, a string starting with \x01 is always a marker. The same pass checks
 * the nesting limit before any parsing and refuses the few inputs the rewrite could
 * otherwise make valid (a number used as a key, an unterminated string).
 */
final class CasPay_Json {

	/** Prefix of every marker in the decoded tree. */
	const MARK = "\x01";

	/** Marker key present in every decoded object. */
	const OBJECT_KEY = "\x01o";

	const TOKENS = '/"(?:[^"\\\\]++|\\\\.)*+"|-?+(?:0|[1-9][0-9]*+)(?:\.[0-9]++)?+(?:[eE][+-]?+[0-9]++)?+(\s*+:)?+|\{[ \t\n\r]*+\}|[{\[\]}"]/s';

	/**
	 * Decodes a body after the depth check.
	 *
	 * @param string $body      Raw JSON text.
	 * @param int    $max_depth Deepest accepted nesting of objects and arrays, root included.
	 * @return mixed The decoded tree (markers inside; read it through this class).
	 * @throws CasPay_Webhook_Exception With code invalid_json.
	 */
	public static function decode( $body, $max_depth ) {
		$depth    = 0;
		$failure  = null;
		$position = 0;
		$callback = static function ( $match ) use ( &$depth, &$failure, $max_depth ) {
			$token = $match[0];
			$first = $token[0];
			if ( '"' === $first ) {
				if ( 1 === strlen( $token ) ) {
					$failure = 'unterminated string';
					return $token;
				}
				if ( 0 === strncmp( $token, '"\\u0000', 7 ) || 0 === strncmp( $token, '"\\u0001', 7 ) ) {
					return '"\\u0001s' . substr( $token, 1 );
				}
				return $token;
			}
			if ( '{' === $first || '[' === $first ) {
				if ( $depth + 1 > $max_depth && null === $failure ) {
					$failure = 'depth';
				}
				if ( '}' === substr( $token, -1 ) ) {
					return '{"\\u0001o":true}';
				}
				++$depth;
				return '[' === $first ? $token : '{"\\u0001o":true,';
			}
			if ( '}' === $first || ']' === $first ) {
				$depth = max( 0, $depth - 1 );
				return $token;
			}
			if ( isset( $match[1] ) && '' !== $match[1] ) {
				$failure = 'a number cannot be a key';
			}
			return '"\\u0001n' . $token . '"';
		};
		$rewritten = preg_replace_callback( self::TOKENS, $callback, $body );
		if ( null === $rewritten ) {
			throw CasPay_Webhook_Exception::create( 'invalid_json', 'the body could not be scanned' );
		}
		if ( 'depth' === $failure ) {
			throw CasPay_Webhook_Exception::create( 'invalid_json', 'objects and arrays nest deeper than the limit of', null, $max_depth );
		}
		if ( null !== $failure ) {
			throw CasPay_Webhook_Exception::create( 'invalid_json', 'syntax error' );
		}
		$value = json_decode( $rewritten, true, $max_depth + 1 );
		if ( JSON_ERROR_NONE !== json_last_error() ) {
			throw CasPay_Webhook_Exception::create( 'invalid_json', self::reason( json_last_error() ) );
		}
		return $value;
	}

	/**
	 * Why json_decode failed, in the core's words.
	 *
	 * @param int $error A JSON_ERROR_* constant.
	 * @return string
	 */
	private static function reason( $error ) {
		switch ( $error ) {
			case JSON_ERROR_UTF8:
				return 'the body is not valid UTF-8';
			case JSON_ERROR_UTF16:
				return 'a \\u escape is a lone UTF-16 surrogate';
			case JSON_ERROR_CTRL_CHAR:
				return 'a control character appears unescaped';
			case JSON_ERROR_DEPTH:
				return 'objects and arrays nest too deep';
			default:
				return 'syntax error';
		}
	}

	/**
	 * Whether a decoded value is a JSON object.
	 *
	 * @param mixed $value Decoded value.
	 * @return bool
	 */
	public static function is_object( $value ) {
		return is_array( $value ) && array_key_exists( self::OBJECT_KEY, $value );
	}

	/**
	 * Whether a decoded value is a JSON number.
	 *
	 * @param mixed $value Decoded value.
	 * @return bool
	 */
	public static function is_number( $value ) {
		return is_string( $value ) && 0 === strncmp( $value, "\x01n", 2 );
	}

	/**
	 * Whether a decoded value is a JSON string.
	 *
	 * @param mixed $value Decoded value.
	 * @return bool
	 */
	public static function is_string( $value ) {
		return is_string( $value ) && ! self::is_number( $value );
	}

	/**
	 * The text of a JSON string value.
	 *
	 * @param string $value Decoded string (not a number).
	 * @return string
	 */
	public static function string_value( $value ) {
		return 0 === strncmp( $value, "\x01s", 2 ) ? (string) substr( $value, 2 ) : $value;
	}

	/**
	 * The exact text of a JSON number, as sent.
	 *
	 * @param string $value Decoded number.
	 * @return string
	 */
	public static function number_text( $value ) {
		return (string) substr( $value, 2 );
	}

	/**
	 * A decoded value as plain PHP: objects become associative arrays, numbers what
	 * json_decode with JSON_BIGINT_AS_STRING makes of their text (what a PHP host reading
	 * the core's JSON output gets). Under an amount key (`amount`, `*_amount`, `*Amount`),
	 * when $exact_amounts is set, a number becomes its exact text instead, as the core's
	 * normalized `data` does.
	 *
	 * @param mixed $value         Decoded value.
	 * @param bool  $exact_amounts Whether amount keys keep exact text.
	 * @param bool  $is_amount     Whether $value sits under an amount key.
	 * @return mixed
	 */
	public static function to_php( $value, $exact_amounts = false, $is_amount = false ) {
		if ( is_string( $value ) ) {
			if ( self::is_number( $value ) ) {
				$text = self::number_text( $value );
				return $is_amount ? $text : json_decode( $text, false, 1, JSON_BIGINT_AS_STRING );
			}
			return self::string_value( $value );
		}
		if ( ! is_array( $value ) ) {
			return $value;
		}
		$out = array();
		if ( self::is_object( $value ) ) {
			foreach ( $value as $key => $member ) {
				if ( self::OBJECT_KEY === $key ) {
					continue;
				}
				$key         = self::string_value( (string) $key );
				$out[ $key ] = self::to_php( $member, $exact_amounts, $exact_amounts && self::is_amount_key( $key ) );
			}
			return $out;
		}
		foreach ( $value as $item ) {
			$out[] = self::to_php( $item, $exact_amounts, false );
		}
		return $out;
	}

	/**
	 * Keys whose numbers are amounts: motes exceed 2^53, so they must never become floats.
	 *
	 * @param string $key Object key.
	 * @return bool
	 */
	public static function is_amount_key( $key ) {
		$length = strlen( $key );
		return 'amount' === $key
			|| ( $length >= 7 && '_amount' === substr( $key, -7 ) )
			|| ( $length >= 6 && 'Amount' === substr( $key, -6 ) );
	}
}
