<?php
/**
 * ISO-8601 timestamps as CasPay sends them, converted exactly like the Rust core.
 *
 * @package CasPay_Webhooks
 */

defined( 'ABSPATH' ) || defined( 'CASPAY_WEBHOOKS_LIBRARY' ) || exit;

/**
 * `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` to unix seconds, proleptic Gregorian in UTC.
 *
 * Written out rather than left to DateTime, which accepts far more forms (and silently
 * rolls 2026-02-30 over to March); the core accepts exactly this grammar.
 */
final class CasPay_Timestamp {

	/** 9999-12-31T23:59:59Z: anything larger is almost certainly milliseconds. */
	const MAX_UNIX_SECONDS = 253402300799;

	const PATTERN = '/^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]+)?(?:[Zz]|([+-])([0-9]{2}):([0-9]{2}))$/D';

	/**
	 * Unix seconds (fraction dropped), or null for any other form, an impossible date or a
	 * time before 1970.
	 *
	 * @param string $text The timestamp text.
	 * @return int|null
	 */
	public static function parse_iso8601( $text ) {
		if ( ! preg_match( self::PATTERN, $text, $m ) ) {
			return null;
		}
		list( , $year, $month, $day, $hour, $minute, $second ) = array_map( 'intval', array_slice( $m, 0, 7 ) );
		if ( $month < 1 || $month > 12 || $day < 1 || $day > self::days_in_month( $year, $month )
			|| $hour > 23 || $minute > 59 || $second > 59 ) {
			return null;
		}
		$offset = 0;
		if ( isset( $m[7] ) && '' !== $m[7] ) {
			$offset_hours   = (int) $m[8];
			$offset_minutes = (int) $m[9];
			if ( $offset_hours > 23 || $offset_minutes > 59 ) {
				return null;
			}
			$offset = ( $offset_hours * 3600 + $offset_minutes * 60 ) * ( '+' === $m[7] ? 1 : -1 );
		}
		$seconds = self::days_from_civil( $year, $month, $day ) * 86400 + $hour * 3600 + $minute * 60 + $second - $offset;
		return ( $seconds < 0 || $seconds > self::MAX_UNIX_SECONDS ) ? null : $seconds;
	}

	/**
	 * Days in a month of the proleptic Gregorian calendar.
	 *
	 * @param int $year  Year.
	 * @param int $month Month 1-12.
	 * @return int
	 */
	private static function days_in_month( $year, $month ) {
		if ( 2 === $month ) {
			$leap = 0 === $year % 4 && ( 0 !== $year % 100 || 0 === $year % 400 );
			return $leap ? 29 : 28;
		}
		return in_array( $month, array( 4, 6, 9, 11 ), true ) ? 30 : 31;
	}

	/**
	 * Days since 1970-01-01 (Howard Hinnant's days_from_civil, as in the core).
	 *
	 * @param int $year  Year.
	 * @param int $month Month 1-12.
	 * @param int $day   Day of month.
	 * @return int
	 */
	private static function days_from_civil( $year, $month, $day ) {
		$y   = $year - ( $month <= 2 ? 1 : 0 );
		$era = intdiv( $y >= 0 ? $y : $y - 399, 400 );
		$yoe = $y - $era * 400;
		$doy = intdiv( 153 * ( $month > 2 ? $month - 3 : $month + 9 ) + 2, 5 ) + $day - 1;
		$doe = $yoe * 365 + intdiv( $yoe, 4 ) - intdiv( $yoe, 100 ) + $doy;
		return $era * 146097 + $doe - 719468;
	}
}
