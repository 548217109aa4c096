<?php
/**
 * Exact decimal arithmetic on the text of JSON numbers, for the pure-PHP engine.
 *
 * @package CasPay_Webhooks
 */

defined( 'ABSPATH' ) || defined( 'CASPAY_WEBHOOKS_LIBRARY' ) || exit;

/**
 * A JSON number split into its parts as written: the port of the core's `Decimal`
 * (src/decimal.rs). Amounts in motes exceed 2^53 and CSPR amounts carry fractions, so no
 * value here ever passes through a float: the shift from CSPR to motes, the one spelling
 * used by content keys and the test for numbers a host could not hold exactly all work on
 * the digits.
 */
final class CasPay_Decimal {

	/**
	 * Exponents with more digits than this are kept as written: no JavaScript number or
	 * PostgreSQL `numeric` round trip produces one, and below it the arithmetic fits a
	 * 64-bit integer with room for any body length.
	 */
	const MAX_EXACT_EXPONENT_DIGITS = 15;

	/**
	 * 2^53 - 1: the largest integer every host (JavaScript numbers included) holds exactly.
	 */
	const MAX_SAFE_INTEGER = '9007199254740991';

	/**
	 * The digits of 2^1024 - 2^970 (309 of them): the smallest magnitude a double rounds to
	 * infinity, as in the Rust core (src/decimal.rs).
	 */
	const DOUBLE_OVERFLOW_DIGITS = '179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497792';

	/** The value is not a whole number at the asked scale. */
	const FRACTIONAL = 'fractional';

	/** The value has more digits than the caller allows. */
	const TOO_LARGE = 'too_large';

	/** The bytes of a digit run, for strspn. */
	const DIGITS = '0123456789';

	/**
	 * A leading `-`.
	 *
	 * @var bool
	 */
	public $negative;

	/**
	 * The digits before the point (never empty).
	 *
	 * @var string
	 */
	private $integer;

	/**
	 * The digits after the point ('' without a point).
	 *
	 * @var string
	 */
	private $fraction;

	/**
	 * The exponent's sign and digits after `e`/`E` ('' without an exponent).
	 *
	 * @var string
	 */
	private $exponent;

	/**
	 * Use parse().
	 *
	 * @param bool   $negative A leading minus.
	 * @param string $integer  Integer digits.
	 * @param string $fraction Fraction digits.
	 * @param string $exponent Exponent text after the `e`.
	 */
	private function __construct( $negative, $integer, $fraction, $exponent ) {
		$this->negative = $negative;
		$this->integer  = $integer;
		$this->fraction = $fraction;
		$this->exponent = $exponent;
	}

	/**
	 * Splits text that follows the JSON number grammar
	 * (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`), walking it with strspn so no
	 * length of input meets a regex limit.
	 *
	 * @param string $text Candidate number text.
	 * @return self|null Null when the text is not a JSON number.
	 */
	public static function parse( $text ) {
		$text     = (string) $text;
		$length   = strlen( $text );
		$negative = $length > 0 && '-' === $text[0];
		$i        = $negative ? 1 : 0;
		$count    = strspn( $text, self::DIGITS, $i );
		if ( 0 === $count || ( $count > 1 && '0' === $text[ $i ] ) ) {
			return null;
		}
		$integer  = substr( $text, $i, $count );
		$i       += $count;
		$fraction = '';
		if ( $i < $length && '.' === $text[ $i ] ) {
			$count = strspn( $text, self::DIGITS, $i + 1 );
			if ( 0 === $count ) {
				return null;
			}
			$fraction = substr( $text, $i + 1, $count );
			$i       += 1 + $count;
		}
		$exponent = '';
		if ( $i < $length && ( 'e' === $text[ $i ] || 'E' === $text[ $i ] ) ) {
			$start = $i + 1;
			$sign  = $start < $length && ( '+' === $text[ $start ] || '-' === $text[ $start ] ) ? 1 : 0;
			$count = strspn( $text, self::DIGITS, $start + $sign );
			if ( 0 === $count ) {
				return null;
			}
			$exponent = substr( $text, $start, $sign + $count );
			$i        = $start + $sign + $count;
		}
		if ( $i !== $length ) {
			return null;
		}
		return new self( $negative, $integer, $fraction, $exponent );
	}

	/**
	 * The mantissa's digits without leading or trailing zeros ('' for zero) and where the
	 * point sits: the value is `0.DIGITS x 10^(point + exponent)`.
	 *
	 * @return array{0: string, 1: int}
	 */
	private function significant() {
		$all     = $this->integer . $this->fraction;
		$trimmed = ltrim( $all, '0' );
		$leading = strlen( $all ) - strlen( $trimmed );
		return array( rtrim( $trimmed, '0' ), strlen( $this->integer ) - $leading );
	}

	/**
	 * The exponent as a number, or null when it has too many digits to add to.
	 *
	 * @return int|null
	 */
	private function exponent_value() {
		if ( '' === $this->exponent ) {
			return 0;
		}
		$sign   = $this->exponent[0];
		$digits = ( '-' === $sign || '+' === $sign ) ? substr( $this->exponent, 1 ) : $this->exponent;
		$digits = ltrim( $digits, '0' );
		if ( strlen( $digits ) > self::MAX_EXACT_EXPONENT_DIGITS ) {
			return null;
		}
		$value = (int) $digits;
		return '-' === $sign ? -$value : $value;
	}

	/**
	 * The value times 10^$scale as a whole number without leading zeros ('0' for zero), or
	 * why it is not one. The sign is ignored.
	 *
	 * @param int $scale      Power of ten to multiply by.
	 * @param int $max_digits Most digits the result may have.
	 * @return array{0: string|null, 1: string|null} [digits, null] or [null, FRACTIONAL|TOO_LARGE].
	 */
	public function scaled_integer( $scale, $max_digits ) {
		list( $digits, $point ) = $this->significant();
		if ( '' === $digits ) {
			return array( '0', null );
		}
		$exponent = $this->exponent_value();
		if ( null === $exponent ) {
			// A non-zero value whose exponent has more than 15 digits is out of any range.
			return array( null, '-' === $this->exponent[0] ? self::FRACTIONAL : self::TOO_LARGE );
		}
		// A whole number exactly when every significant digit lies left of the point.
		$whole_digits = $point + $exponent + $scale;
		if ( $whole_digits < strlen( $digits ) ) {
			return array( null, self::FRACTIONAL );
		}
		if ( $whole_digits > $max_digits ) {
			return array( null, self::TOO_LARGE );
		}
		return array( $digits . str_repeat( '0', $whole_digits - strlen( $digits ) ), null );
	}

	/**
	 * The one spelling every way of writing this value shares, so a body re-serialized by
	 * `JSON.stringify` or PostgreSQL (`12.50` -> `12.5`, `1e21` -> `1e+21`) keeps its
	 * content key: `0` for zero, otherwise an optional `-`, the first significant digit,
	 * `.` and the others when there are any, `e` and the power of ten (`1.25e1`, `-3e-7`).
	 * An exponent of more than 15 digits is written as sent (no round trip produces one).
	 *
	 * @return string
	 */
	public function canonical() {
		list( $digits, $point ) = $this->significant();
		if ( '' === $digits ) {
			return '0';
		}
		$sign     = $this->negative ? '-' : '';
		$exponent = $this->exponent_value();
		if ( null === $exponent ) {
			$fraction = '' === $this->fraction ? '' : '.' . $this->fraction;
			return $sign . $this->integer . $fraction . 'e' . $this->exponent;
		}
		$rest = strlen( $digits ) > 1 ? '.' . substr( $digits, 1 ) : '';
		return $sign . $digits[0] . $rest . 'e' . ( $point + $exponent - 1 );
	}

	/**
	 * Whether JavaScript's `JSON.parse` and PHP's `json_decode` both give back the exact
	 * value of a number: integers within +-(2^53 - 1), and any other number whose double is
	 * finite (`0.1` is the same double everywhere). Beyond that (`12345678901234567890`,
	 * `1e400`) hosts disagree or lose the value, and negative zero is `-0` in JavaScript but
	 * `0` in PHP, so those travel as text.
	 *
	 * @param string $text Text that follows the JSON number grammar.
	 * @return bool
	 */
	public static function is_portable( $text ) {
		$negative = '-' === $text[0] ? 1 : 0;
		$mantissa = strcspn( $text, 'eE' );
		if ( $negative && strspn( $text, '0.', 1 ) === $mantissa - 1 ) {
			return false;
		}
		$length = strlen( $text );
		if ( strcspn( $text, '.eE' ) === $length ) {
			$digits = $length - $negative;
			$safe   = strlen( self::MAX_SAFE_INTEGER );
			return $digits < $safe || ( $digits === $safe && strcmp( substr( $text, $negative ), self::MAX_SAFE_INTEGER ) <= 0 );
		}
		$decimal = self::parse( $text );
		return null !== $decimal && $decimal->fits_a_double();
	}

	/**
	 * Whether the value's double is finite, decided on the digits as the Rust core decides
	 * it: PHP's own parser caps a written exponent at 19999, so `(float)` of a long spelling
	 * (`1`, 30,000 zeros, `e-29990`) can be wrong either way.
	 *
	 * @return bool
	 */
	private function fits_a_double() {
		list( $digits, $point ) = $this->significant();
		if ( '' === $digits ) {
			return true;
		}
		$exponent = $this->exponent_value();
		if ( null === $exponent ) {
			return '-' === $this->exponent[0];
		}
		// The value is 0.DIGITS x 10^power: finite below 10^309, infinite from 10^309 on,
		// and in between finite exactly when DIGITS sort below the overflow digits.
		$power    = $point + $exponent;
		$overflow = strlen( self::DOUBLE_OVERFLOW_DIGITS );
		if ( $power !== $overflow ) {
			return $power < $overflow;
		}
		$width = max( strlen( $digits ), $overflow );
		return strcmp( str_pad( $digits, $width, '0' ), str_pad( self::DOUBLE_OVERFLOW_DIGITS, $width, '0' ) ) < 0;
	}

	/**
	 * The double a portable number's text stands for: read from its canonical spelling,
	 * whose exponent is short, so PHP's parser reads it right whatever the text's length.
	 *
	 * @param string $text Text that follows the JSON number grammar, with a point or exponent.
	 * @return float
	 */
	public static function to_float( $text ) {
		$decimal = self::parse( $text );
		if ( null === $decimal ) {
			return (float) $text;
		}
		// An exponent of more than 15 digits in a portable number: one that underflows to zero.
		if ( null === $decimal->exponent_value() ) {
			return $decimal->negative ? -0.0 : 0.0;
		}
		return (float) $decimal->canonical();
	}
}
