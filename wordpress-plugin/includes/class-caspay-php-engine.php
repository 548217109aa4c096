<?php
/**
 * The pure-PHP engine: runs on every PHP, no extension beyond hash and json.
 *
 * @package CasPay_Webhooks
 */

defined( 'ABSPATH' ) || defined( 'CASPAY_WEBHOOKS_LIBRARY' ) || exit;

/**
 * HMAC-SHA256 through PHP's hash_hmac, compared with hash_equals (constant time), and the
 * event parser ported from the core. Most WordPress hosts run this engine: FFI is off
 * outside the CLI unless the site owner enables it. The shared test vectors hold it to
 * the same results, byte for byte, as the WebAssembly engine.
 */
final class CasPay_Php_Engine implements CasPay_Engine {

	/** The prefix some senders and proxies put before the hex digest. */
	const SIGNATURE_PREFIX = 'sha256=';

	/**
	 * {@inheritDoc}
	 */
	public function name() {
		return 'php';
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string      $body      Raw body bytes.
	 * @param string|null $signature Header value.
	 * @param string      $secret    Secret bytes.
	 */
	public function verify_one( $body, $signature, #[\SensitiveParameter] $secret ) {
		$expected = self::parse_signature( $signature );
		return hash_equals( hash_hmac( 'sha256', $body, $secret, true ), $expected );
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $body   Raw body bytes.
	 * @param string $secret Secret bytes.
	 */
	public function sign( $body, #[\SensitiveParameter] $secret ) {
		return hash_hmac( 'sha256', $body, $secret );
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string   $body              Raw body bytes.
	 * @param int      $max_payload_bytes Size limit.
	 * @param int      $max_depth         Nesting limit.
	 * @param int|null $tolerance         Seconds, or null.
	 * @param int      $now               Unix seconds.
	 */
	public function parse( $body, $max_payload_bytes, $max_depth, $tolerance, $now ) {
		return CasPay_Event_Parser::parse( $body, $max_payload_bytes, $max_depth, $tolerance, $now );
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string      $body              Raw body bytes.
	 * @param string|null $signature         Header value.
	 * @param string      $secret            Secret bytes.
	 * @param int         $max_payload_bytes Size limit.
	 * @param int         $max_depth         Nesting limit.
	 * @param int|null    $tolerance         Seconds, or null.
	 * @param int         $now               Unix seconds.
	 */
	public function construct_one( $body, $signature, #[\SensitiveParameter] $secret, $max_payload_bytes, $max_depth, $tolerance, $now ) {
		if ( ! $this->verify_one( $body, $signature, $secret ) ) {
			return null;
		}
		return $this->parse( $body, $max_payload_bytes, $max_depth, $tolerance, $now );
	}

	/**
	 * The 32 digest bytes of a signature header value.
	 *
	 * Exactly 64 hex characters in either case, optionally prefixed with `sha256=`, with
	 * optional surrounding ASCII whitespace (the core's set: no vertical tab, unlike trim()'s
	 * default). The dashboard's `test_signature` is a format error, never a mismatch.
	 *
	 * @param string|null $signature Header value.
	 * @return string
	 * @throws CasPay_Webhook_Exception missing_signature or invalid_signature_format.
	 */
	public static function parse_signature( $signature ) {
		$trimmed = trim( (string) $signature, " \t\n\r\f" );
		if ( '' === $trimmed ) {
			throw CasPay_Webhook_Exception::create( 'missing_signature' );
		}
		if ( 0 === strncmp( $trimmed, self::SIGNATURE_PREFIX, strlen( self::SIGNATURE_PREFIX ) ) ) {
			$trimmed = (string) substr( $trimmed, strlen( self::SIGNATURE_PREFIX ) );
		}
		if ( ! preg_match( '/^[0-9a-fA-F]{64}$/D', $trimmed ) ) {
			throw CasPay_Webhook_Exception::create( 'invalid_signature_format' );
		}
		return (string) hex2bin( $trimmed );
	}
}
