<?php
/**
 * Every message the plugin shows or answers, translatable (text domain caspay-webhooks).
 *
 * @package CasPay_Webhooks
 */

defined( 'ABSPATH' ) || defined( 'CASPAY_WEBHOOKS_LIBRARY' ) || exit;

/**
 * The library (engines, handler) speaks English so that every host of the CasPay core
 * says the same sentence; inside WordPress these are the same sentences through __(), so
 * translators see them in the plugin's .pot. The English text here must stay identical to
 * CasPay_Webhook_Exception::ADVICE and CasPay_Webhook_Handler::MESSAGES (a PHPUnit test
 * compares them).
 */
final class CasPay_Messages {

	/**
	 * The message of an HTTP answer, translated: the handler's own messages by code; for
	 * an engine error, the code's advice translated and the technical detail after it
	 * (a field path, a byte offset) as the engine wrote it.
	 *
	 * @param string $code    The answer's code.
	 * @param string $message The English message.
	 * @return string
	 */
	public static function answer( $code, $message ) {
		$own = self::handler_messages();
		if ( isset( $own[ $code ] ) && CasPay_Webhook_Handler::MESSAGES[ $code ] === $message ) {
			return $own[ $code ];
		}
		$advice = self::advice();
		if ( isset( $advice[ $code ], CasPay_Webhook_Exception::ADVICE[ $code ] ) && 0 === strpos( $message, CasPay_Webhook_Exception::ADVICE[ $code ] ) ) {
			return $advice[ $code ] . substr( $message, strlen( CasPay_Webhook_Exception::ADVICE[ $code ] ) );
		}
		return $message;
	}

	/**
	 * The handler's answers (CasPay_Webhook_Handler::MESSAGES), translated.
	 *
	 * @return array<string, string>
	 */
	public static function handler_messages() {
		return array(
			'invalid_secret'    => __( 'This endpoint has no webhook secret configured yet; CasPay will retry.', 'caspay-webhooks' ),
			'internal_error'    => __( 'The webhook could not be processed; CasPay will retry.', 'caspay-webhooks' ),
			'processing_failed' => __( 'A listener failed while processing the event; it is recorded as failed and CasPay\'s retry processes it again.', 'caspay-webhooks' ),
			'processing_in_progress' => __( 'This event is being processed by another request right now; send it again later in case that run fails.', 'caspay-webhooks' ),
			'retry_scheduled'   => __( 'This event failed recently; its next attempt is not due yet. Send it again later.', 'caspay-webhooks' ),
			'store_unavailable' => __( 'The delivery could not be recorded; nothing was kept. Send it again.', 'caspay-webhooks' ),
			'unsupported_encoding' => __( 'The body arrived with a Content-Encoding. CasPay signs and sends plain JSON; send it without an encoding.', 'caspay-webhooks' ),
		);
	}

	/**
	 * What each stable error code means (CasPay_Webhook_Exception::ADVICE), translated.
	 *
	 * @return array<string, string>
	 */
	public static function advice() {
		return array(
			'missing_signature'           => __( 'No X-CasPay-Signature header was sent. CasPay signs every delivery; read the header from the request you received.', 'caspay-webhooks' ),
			'invalid_signature_format'    => __( 'The X-CasPay-Signature header must be 64 hexadecimal characters, optionally prefixed with "sha256=". The dashboard\'s test button sends the literal "test_signature", which is not a signature and is always rejected.', 'caspay-webhooks' ),
			'signature_mismatch'          => __( 'The signature does not match the body. Pass the raw request body exactly as received (not a parsed or re-serialized object) and check the endpoint secret, including its whsec_ prefix.', 'caspay-webhooks' ),
			'invalid_secret'              => __( 'The webhook secret is empty. Copy the endpoint secret (whsec_...) from the CasPay dashboard.', 'caspay-webhooks' ),
			'payload_too_large'           => __( 'The body is larger than the configured limit.', 'caspay-webhooks' ),
			'invalid_json'                => __( 'The body is not valid JSON.', 'caspay-webhooks' ),
			'invalid_event'               => __( 'The body is JSON but not a CasPay event.', 'caspay-webhooks' ),
			'timestamp_outside_tolerance' => __( 'The event\'s signed timestamp is too far from the current time; it may be a replayed delivery.', 'caspay-webhooks' ),
			'duplicate_event'             => __( 'This event was already processed.', 'caspay-webhooks' ),
			'invalid_payload'             => __( 'Pass the raw request body (a string: file_get_contents(\'php://input\') or WP_REST_Request::get_body()), not a parsed array or object: re-serializing JSON changes the bytes that were signed.', 'caspay-webhooks' ),
			'internal_error'              => __( 'The WebAssembly instance failed and was replaced by a fresh one; the call can be retried.', 'caspay-webhooks' ),
		);
	}

	/**
	 * A short name for a log row's outcome.
	 *
	 * @param string $status processed, failed, dead, duplicate, dead_copy, in_progress,
	 *                       retry_scheduled, rejected, unrecorded.
	 * @return string
	 */
	public static function outcome( $status ) {
		$labels = array(
			'processed'       => __( 'Processed', 'caspay-webhooks' ),
			'failed'          => __( 'Listener failed', 'caspay-webhooks' ),
			'dead'            => __( 'Failed for the last time', 'caspay-webhooks' ),
			'duplicate'       => __( 'Already processed', 'caspay-webhooks' ),
			'dead_copy'       => __( 'Copy of a dead event', 'caspay-webhooks' ),
			'in_progress'     => __( 'Being processed elsewhere', 'caspay-webhooks' ),
			'retry_scheduled' => __( 'Retry not due yet', 'caspay-webhooks' ),
			'rejected'        => __( 'Rejected', 'caspay-webhooks' ),
			'unrecorded'      => __( 'Not recorded (database error)', 'caspay-webhooks' ),
			'unchanged'       => __( 'it was no longer failed or dead', 'caspay-webhooks' ),
			'missing'         => __( 'it is no longer in the inbox', 'caspay-webhooks' ),
		);
		return isset( $labels[ $status ] ) ? $labels[ $status ] : $status;
	}

	/**
	 * A short name for an inbox state.
	 *
	 * @param string $state received, processing, done, failed or dead.
	 * @return string
	 */
	public static function state( $state ) {
		$labels = array(
			'received'   => _x( 'Received', 'inbox state', 'caspay-webhooks' ),
			'processing' => _x( 'Processing', 'inbox state', 'caspay-webhooks' ),
			'done'       => _x( 'Done', 'inbox state', 'caspay-webhooks' ),
			'failed'     => _x( 'Failed', 'inbox state', 'caspay-webhooks' ),
			'dead'       => _x( 'Dead', 'inbox state', 'caspay-webhooks' ),
		);
		return isset( $labels[ $state ] ) ? $labels[ $state ] : $state;
	}

	/**
	 * Where a log row comes from.
	 *
	 * @param string $via http, cron or admin.
	 * @return string
	 */
	public static function via( $via ) {
		$labels = array(
			'http'  => _x( 'Delivery', 'log row source', 'caspay-webhooks' ),
			'cron'  => _x( 'Sweep', 'log row source', 'caspay-webhooks' ),
			'admin' => _x( 'Process again', 'log row source', 'caspay-webhooks' ),
		);
		return isset( $labels[ $via ] ) ? $labels[ $via ] : $via;
	}
}
