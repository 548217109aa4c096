<?php
/**
 * JSON with numbers kept as their exact text, for the pure-PHP engine.
 *
 * @package CasPay_Webhooks
 */

defined( 'ABSPATH' ) || defined( 'CASPAY_WEBHOOKS_LIBRARY' ) || exit;

/**
 * Parses JSON the way the Rust core does (exact number text, objects told from lists), on
 * top of PHP's own json_decode.
 *
 * json_decode turns `12.50` into the float 12.5 and `100000000000000000000` into a float
 * too, and decoding to arrays makes `{}` and `[]` the same value. So before decoding, one
 * pass over the body rewrites, outside strings:
 * - every number json_decode would not give back exactly (anything but a plain integer of
 *   at most 15 digits, and `-0`) into a marker string "\x01n<text>", after checking its
 *   grammar (json_decode checks the grammar of the integers it is left);
 * - every object opening into one with a marker member "\x01o" (so `{}` stays an object);
 * - every string that could be mistaken for a marker (its text starts with \u0000 or
 *   \u0001) into "\x01s<original>".
 * After decoding, a string starting with \x01 is always a marker, and an int is always a
 * plain integer whose text is its decimal form. The same pass checks the nesting limit
 * before anything is parsed.
 *
 * The pass walks the body with strcspn/strspn, jumping over string contents and digit
 * runs: no regex ever runs over the body or over one of its tokens, so PCRE's limits
 * (pcre.backtrack_limit, pcre.jit, the JIT stack) never make a valid body fail, whatever
 * its size.
 */
final class CasPay_Json {

	/** Prefix of every marker in the decoded tree. */
	const MARK = "\x01";

	/** Marker key present in every decoded object. */
	const OBJECT_KEY = "\x01o";

	/** Prefix of a number kept as text. */
	const NUMBER_MARK = "\x01n";

	/** Prefix of a string whose own text starts with \x00 or \x01. */
	const STRING_MARK = "\x01s";

	/** Bytes where the pass has something to do; everything else is copied as it is. */
	const SCAN_STOP = '"{}[]-0123456789';

	/** Bytes a number token is made of. */
	const NUMBER_BYTES = '-+.eE0123456789';

	/** JSON's four whitespace bytes. */
	const WHITESPACE = " \t\n\r";

	/** Longest plain integer left to json_decode: every host holds 15 digits exactly. */
	const MAX_PLAIN_DIGITS = 15;

	/**
	 * Decodes a body after the depth check.
	 *
	 * @param string $body      Raw JSON text.
	 * @param int    $max_depth Deepest accepted nesting of objects and arrays, root included.
	 * @return mixed The decoded tree (markers inside; read it through this class).
	 * @throws CasPay_Webhook_Exception With code invalid_json.
	 */
	public static function decode( $body, $max_depth ) {
		$length    = strlen( $body );
		$rewritten = '';
		$copied    = 0;
		$depth     = 0;
		$failure   = null;
		$i         = strcspn( $body, self::SCAN_STOP );
		while ( $i < $length ) {
			$byte = $body[ $i ];
			if ( '"' === $byte ) {
				$end = strpos( $body, '"', $i + 1 );
				if ( false !== $end && '\\' !== $body[ $end - 1 ] ) {
					++$end;
				} else {
					$end = self::string_end( $body, $i );
					if ( null === $end ) {
						// Unterminated: the rest of the body is inside the string, and json_decode
						// refuses it.
						break;
					}
				}
				if ( '\\' === $body[ $i + 1 ] && 0 === substr_compare( $body, '\\u000', $i + 1, 5 ) && ( '0' === $body[ $i + 6 ] || '1' === $body[ $i + 6 ] ) ) {
					$rewritten .= substr( $body, $copied, $i + 1 - $copied ) . '\\u0001s';
					$copied     = $i + 1;
				}
				$i = $end;
			} elseif ( '{' === $byte || '[' === $byte ) {
				if ( ++$depth > $max_depth ) {
					throw CasPay_Webhook_Exception::create( 'invalid_json', 'objects and arrays nest deeper than the limit of', null, $max_depth, $i );
				}
				if ( '{' === $byte ) {
					$rewritten .= substr( $body, $copied, $i - $copied );
					$next       = $i + 1 + strspn( $body, self::WHITESPACE, $i + 1 );
					if ( $next < $length && '}' === $body[ $next ] ) {
						$rewritten .= '{"\\u0001o":true}';
						$i          = $next;
						--$depth;
					} else {
						$rewritten .= '{"\\u0001o":true,';
					}
					$copied = $i + 1;
				}
				++$i;
			} elseif ( '}' === $byte || ']' === $byte ) {
				$depth = max( 0, $depth - 1 );
				++$i;
			} else {
				// A number: its grammar is checked here with strspn, never with a regex.
				$sign   = '-' === $byte ? 1 : 0;
				$digits = strspn( $body, CasPay_Decimal::DIGITS, $i + $sign );
				$end    = $i + $sign + $digits;
				$valid  = $digits > 0 && ( 1 === $digits || '0' !== $body[ $i + $sign ] );
				$next   = $end < $length ? $body[ $end ] : '';
				if ( $valid && $digits <= self::MAX_PLAIN_DIGITS && ( '' === $next || false === strpos( self::NUMBER_BYTES, $next ) ) && ( 0 === $sign || 1 < $digits || '0' !== $body[ $i + 1 ] ) ) {
					// A plain integer json_decode reads exactly: left as it is.
					$i = $end;
				} else {
					if ( $valid && '.' === $next ) {
						$fraction = strspn( $body, CasPay_Decimal::DIGITS, $end + 1 );
						$valid    = $fraction > 0;
						$end     += 1 + $fraction;
						$next     = $end < $length ? $body[ $end ] : '';
					}
					if ( $valid && ( 'e' === $next || 'E' === $next ) ) {
						$end     += ( $end + 1 < $length && ( '+' === $body[ $end + 1 ] || '-' === $body[ $end + 1 ] ) ) ? 2 : 1;
						$exponent = strspn( $body, CasPay_Decimal::DIGITS, $end );
						$valid    = $exponent > 0;
						$end     += $exponent;
					}
					$count = strspn( $body, self::NUMBER_BYTES, $i );
					if ( ! $valid || $i + $count !== $end ) {
						$failure = null === $failure ? array( 'a number is not valid JSON', $i ) : $failure;
					} elseif ( ':' === substr( $body, $end + strspn( $body, self::WHITESPACE, $end ), 1 ) ) {
						$failure = null === $failure ? array( 'a number cannot be an object key', $i ) : $failure;
					}
					$rewritten .= substr( $body, $copied, $i - $copied ) . '"\\u0001n' . substr( $body, $i, $count ) . '"';
					$copied     = $i + $count;
					$i         += $count;
				}
			}
			$i += strcspn( $body, self::SCAN_STOP, $i );
		}
		if ( null !== $failure ) {
			throw CasPay_Webhook_Exception::create( 'invalid_json', $failure[0], null, null, $failure[1] );
		}
		$rewritten .= 0 === $copied ? $body : substr( $body, $copied );
		$value      = json_decode( $rewritten, true, min( $max_depth, 0x7FFFFFFE ) + 1 );
		if ( JSON_ERROR_NONE !== json_last_error() ) {
			throw CasPay_Webhook_Exception::create( 'invalid_json', self::reason( json_last_error() ) );
		}
		return $value;
	}

	/**
	 * The index just past the string whose opening quote is at $start, or null when the body
	 * ends inside it. Jumps from quote to quote: a quote ends the string when an even number
	 * of backslashes precedes it, so escapes cost nothing unless they escape a quote.
	 *
	 * @param string $body  Body.
	 * @param int    $start Index of the opening quote.
	 * @return int|null
	 */
	private static function string_end( $body, $start ) {
		$from = $start + 1;
		while ( true ) {
			$quote = strpos( $body, '"', $from );
			if ( false === $quote ) {
				return null;
			}
			$backslashes = 0;
			for ( $k = $quote - 1; $k > $start && '\\' === $body[ $k ]; $k-- ) {
				++$backslashes;
			}
			if ( 0 === $backslashes % 2 ) {
				return $quote + 1;
			}
			$from = $quote + 1;
		}
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
		return is_int( $value ) || ( is_string( $value ) && 0 === strncmp( $value, self::NUMBER_MARK, 2 ) );
	}

	/**
	 * Whether a decoded value is a JSON string.
	 *
	 * @param mixed $value Decoded value.
	 * @return bool
	 */
	public static function is_string( $value ) {
		return is_string( $value ) && 0 !== strncmp( $value, self::NUMBER_MARK, 2 );
	}

	/**
	 * The text of a JSON string value.
	 *
	 * @param string $value Decoded string (not a number).
	 * @return string
	 */
	public static function string_value( $value ) {
		return 0 === strncmp( $value, self::STRING_MARK, 2 ) ? (string) substr( $value, 2 ) : $value;
	}

	/**
	 * The exact text of a JSON number, as sent.
	 *
	 * @param int|string $value Decoded number.
	 * @return string
	 */
	public static function number_text( $value ) {
		return is_int( $value ) ? (string) $value : (string) substr( $value, 2 );
	}

	/**
	 * A decoded value as plain PHP, as a PHP host reading the core's JSON output with
	 * json_decode gets it: objects become associative arrays; under an amount key
	 * (`amount`, `*_amount`, `*Amount`) a number becomes a string with its exact text; any
	 * other number stays a number when every host holds it exactly, and becomes its text
	 * when not (integers beyond +-(2^53 - 1), `1e400`, negative zero).
	 *
	 * @param mixed $value     Decoded value.
	 * @param bool  $is_amount Whether $value is the value of an amount key.
	 * @return mixed
	 */
	public static function to_php( $value, $is_amount = false ) {
		if ( is_array( $value ) ) {
			$out = array();
			if ( ! array_key_exists( self::OBJECT_KEY, $value ) ) {
				foreach ( $value as $item ) {
					$out[] = is_array( $item ) || is_string( $item ) ? self::to_php( $item ) : $item;
				}
				return $out;
			}
			unset( $value[ self::OBJECT_KEY ] );
			foreach ( $value as $key => $member ) {
				if ( is_string( $key ) && 0 === strncmp( $key, self::STRING_MARK, 2 ) ) {
					$key = substr( $key, 2 );
				}
				if ( is_array( $member ) ) {
					$out[ $key ] = self::to_php( $member );
				} elseif ( is_int( $member ) || is_string( $member ) ) {
					$out[ $key ] = self::to_php( $member, self::is_amount_key( (string) $key ) );
				} else {
					$out[ $key ] = $member;
				}
			}
			return $out;
		}
		if ( is_int( $value ) ) {
			return $is_amount ? (string) $value : $value;
		}
		if ( ! is_string( $value ) || 0 !== strncmp( $value, self::MARK, 1 ) ) {
			return $value;
		}
		$text = (string) substr( $value, 2 );
		if ( 0 !== strncmp( $value, self::NUMBER_MARK, 2 ) || $is_amount ) {
			return $text;
		}
		if ( ! CasPay_Decimal::is_portable( $text ) ) {
			return $text;
		}
		return strcspn( $text, '.eE' ) === strlen( $text ) ? json_decode( $text ) : CasPay_Decimal::to_float( $text );
	}

	/**
	 * Keys whose numbers are amounts: motes exceed 2^53, so they must never become floats.
	 *
	 * @param string $key Object key.
	 * @return bool
	 */
	public static function is_amount_key( $key ) {
		if ( 'mount' !== substr( $key, -5 ) ) {
			return false;
		}
		$length = strlen( $key );
		return 'amount' === $key
			|| ( $length >= 7 && '_amount' === substr( $key, -7 ) )
			|| ( $length >= 6 && 'Amount' === substr( $key, -6 ) );
	}
}
