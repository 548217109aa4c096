<?php
/**
 * Exact amounts with their unit, for the pure-PHP engine.
 *
 * @package CasPay_Webhooks
 */

defined( 'ABSPATH' ) || defined( 'CASPAY_WEBHOOKS_LIBRARY' ) || exit;

/**
 * The port of the core's `Amount` (src/amount.rs): the decimal text exactly as CasPay sent
 * it, the unit that text is in, and the amount in motes computed on the text.
 *
 * Shapes A and B (the documentation) give integer motes; shape C (what the server posts
 * today) copies the payment API's amount, which is in CSPR with fractions allowed.
 * 1 CSPR = 10^9 motes, and Casper holds balances as U512.
 */
final class CasPay_Amount {

	/** Integer motes: CSPR amounts in shapes A and B. */
	const UNIT_MOTES = 'motes';

	/** CSPR, fractions allowed: CSPR amounts in shape C. */
	const UNIT_CSPR = 'cspr';

	/** Not a CSPR amount (another currency, or none given): kept as text, never converted. */
	const UNIT_UNKNOWN = 'unknown';

	/** Motes per CSPR, as a power of ten. */
	const MOTES_PER_CSPR_DIGITS = 9;

	/** The most digits a U512 of motes has. */
	const MAX_MOTES_DIGITS = 155;

	/** Why an amount is refused (AmountError::reason in the core, word for word). */
	const NOT_DECIMAL = 'must be a non-negative decimal number (a JSON number or a string holding one)';

	const TOO_PRECISE_CSPR = 'has more than 9 decimal places of CSPR (1 CSPR = 10^9 motes)';

	const TOO_PRECISE_MOTES = 'must be a whole number of motes (1 CSPR = 10^9 motes)';

	const TOO_LARGE = 'is larger than any amount of motes Casper can hold (U512)';

	/**
	 * The unit of a currency in a body of a shape: CSPR (ASCII case-insensitive) is integer
	 * motes in the documented shapes and CSPR in shape C.
	 *
	 * @param string|null $currency The currency as sent, or null.
	 * @param string      $shape    a, b or c.
	 * @return string One of the UNIT_ constants.
	 */
	public static function unit( $currency, $shape ) {
		if ( null === $currency || 0 !== strcasecmp( $currency, 'CSPR' ) ) {
			return self::UNIT_UNKNOWN;
		}
		return 'c' === $shape ? self::UNIT_CSPR : self::UNIT_MOTES;
	}

	/**
	 * Whether text is a decimal an amount may hold: a JSON number without a sign.
	 *
	 * @param string $text Amount text.
	 * @return bool
	 */
	public static function is_decimal( $text ) {
		$decimal = CasPay_Decimal::parse( $text );
		return null !== $decimal && ! $decimal->negative;
	}

	/**
	 * Reads an amount's text (already known to pass is_decimal()) in a unit.
	 *
	 * @param string $text Exact text as sent.
	 * @param string $unit One of the UNIT_ constants.
	 * @return array{0: array|null, 1: string|null} [{value, unit, motes}, null] or [null, reason].
	 */
	public static function read( $text, $unit ) {
		$decimal = CasPay_Decimal::parse( $text );
		if ( null === $decimal || $decimal->negative ) {
			return array( null, self::NOT_DECIMAL );
		}
		$motes = null;
		if ( self::UNIT_UNKNOWN !== $unit ) {
			$scale                  = self::UNIT_CSPR === $unit ? self::MOTES_PER_CSPR_DIGITS : 0;
			list( $motes, $error ) = $decimal->scaled_integer( $scale, self::MAX_MOTES_DIGITS );
			if ( CasPay_Decimal::FRACTIONAL === $error ) {
				return array( null, self::UNIT_CSPR === $unit ? self::TOO_PRECISE_CSPR : self::TOO_PRECISE_MOTES );
			}
			if ( null !== $error ) {
				return array( null, self::TOO_LARGE );
			}
		}
		return array(
			array(
				'value' => (string) $text,
				'unit'  => $unit,
				'motes' => $motes,
			),
			null,
		);
	}
}
