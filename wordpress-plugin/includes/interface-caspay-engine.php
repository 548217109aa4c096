<?php
/**
 * What every engine (WebAssembly through Wasmtime, pure PHP) does.
 *
 * @package CasPay_Webhooks
 */

defined( 'ABSPATH' ) || defined( 'CASPAY_WEBHOOKS_LIBRARY' ) || exit;

/**
 * Engines take already-validated arguments (the CasPay_Webhooks facade checks types and
 * options) and must give identical results and error codes for identical bytes.
 */
interface CasPay_Engine {

	/**
	 * The engine's short name: `wasm` or `php`.
	 *
	 * @return string
	 */
	public function name();

	/**
	 * Checks the signature header against the raw body with one secret.
	 *
	 * @param string      $body      Raw body bytes.
	 * @param string|null $signature Header value, null when absent.
	 * @param string      $secret    Non-empty secret bytes.
	 * @return bool True on a match, false on `signature_mismatch`.
	 * @throws CasPay_Webhook_Exception For missing or malformed signatures.
	 */
	public function verify_one( $body, $signature, $secret );

	/**
	 * The lowercase hex HMAC-SHA256 of the body, as CasPay sends it.
	 *
	 * @param string $body   Raw body bytes.
	 * @param string $secret Non-empty secret bytes.
	 * @return string
	 */
	public function sign( $body, $secret );

	/**
	 * Parses a body into the normalized event (see tests/vectors/README.md).
	 *
	 * @param string   $body              Raw body bytes.
	 * @param int      $max_payload_bytes Size limit.
	 * @param int      $max_depth         Nesting limit, root included.
	 * @param int|null $tolerance         Freshness tolerance in seconds, null for none.
	 * @param int      $now               Unix seconds the tolerance is measured from.
	 * @return array The normalized event.
	 * @throws CasPay_Webhook_Exception When the body is not a valid event.
	 */
	public function parse( $body, $max_payload_bytes, $max_depth, $tolerance, $now );

	/**
	 * Verifies the signature with one secret, then parses: verify_one() and parse() as one
	 * step, so an engine can do both in a single call into its core.
	 *
	 * @param string      $body              Raw body bytes, within $max_payload_bytes.
	 * @param string|null $signature         Header value, null when absent.
	 * @param string      $secret            Non-empty secret bytes.
	 * @param int         $max_payload_bytes Size limit.
	 * @param int         $max_depth         Nesting limit, root included.
	 * @param int|null    $tolerance         Freshness tolerance in seconds, null for none.
	 * @param int         $now               Unix seconds the tolerance is measured from.
	 * @return array|null The normalized event, or null on `signature_mismatch`.
	 * @throws CasPay_Webhook_Exception For a malformed signature or an invalid event.
	 */
	public function construct_one( $body, $signature, $secret, $max_payload_bytes, $max_depth, $tolerance, $now );
}
