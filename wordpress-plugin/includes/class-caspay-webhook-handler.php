<?php
/**
 * One webhook request in, one HTTP answer out; no WordPress needed.
 *
 * @package CasPay_Webhooks
 */

defined( 'ABSPATH' ) || defined( 'CASPAY_WEBHOOKS_LIBRARY' ) || exit;

/**
 * The receiver's whole decision: verify and parse (CasPay_Webhooks::construct order), hand
 * the event to the inbox (record, claim, run its listeners), and map every outcome to the
 * status CasPay should see (docs/inbox.md, "in the request only"). CasPay never retries a
 * 2xx, so 200 means processed (or processed before, or dead and waiting for an operator);
 * deliveries that can never succeed get a 4xx; everything CasPay should send again gets a
 * 409 (being processed now), a 500 (a listener failed) or a 503 (nothing could be recorded).
 *
 * Every delivery is logged. Rejections are counted per code and minute and repeated copies
 * per event, outcome and minute, so a flood of them adds a few rows, not one per request.
 */
final class CasPay_Webhook_Handler {

	/** HTTP status for each stable error code. */
	const STATUS = array(
		'missing_signature'           => 401,
		'invalid_signature_format'    => 401,
		'signature_mismatch'          => 401,
		'payload_too_large'           => 413,
		'invalid_json'                => 400,
		'invalid_event'               => 400,
		'timestamp_outside_tolerance' => 400,
		'invalid_payload'             => 500,
		'invalid_secret'              => 500,
		'internal_error'              => 500,
		'unsupported_encoding'        => 415,
	);

	/**
	 * The handler's own answers (the engine's errors carry the core's messages). Hosts may
	 * translate them by code (the plugin does, in CasPay_Messages).
	 */
	const MESSAGES = array(
		'invalid_secret'    => 'This endpoint has no webhook secret configured yet; CasPay will retry.',
		'internal_error'    => 'The webhook could not be processed; CasPay will retry.',
		'processing_failed' => 'A listener failed while processing the event; it is recorded as failed and CasPay\'s retry processes it again.',
		'processing_in_progress' => 'This event is being processed by another request right now; send it again later in case that run fails.',
		'retry_scheduled'   => 'This event failed recently; its next attempt is not due yet. Send it again later.',
		'store_unavailable' => 'The delivery could not be recorded; nothing was kept. Send it again.',
		'unsupported_encoding' => 'The body arrived with a Content-Encoding. CasPay signs and sends plain JSON; send it without an encoding.',
	);

	/**
	 * The facade.
	 *
	 * @var CasPay_Webhooks
	 */
	private $webhooks;

	/**
	 * Returns the secrets (a closure, so dumps of the handler never show them).
	 *
	 * @var Closure
	 */
	private $secrets;

	/**
	 * Parse options.
	 *
	 * @var array
	 */
	private $options;

	/**
	 * Records, claims, runs, logs.
	 *
	 * @var CasPay_Inbox
	 */
	private $inbox;

	/**
	 * Builds the handler.
	 *
	 * @param CasPay_Webhooks $webhooks The facade (engine chosen).
	 * @param string[]        $secrets  Current secret first; empty strings are skipped.
	 * @param array           $options  See CasPay_Webhooks::options().
	 * @param CasPay_Inbox    $inbox    The inbox (its store and listeners).
	 */
	public function __construct( CasPay_Webhooks $webhooks, #[\SensitiveParameter] array $secrets, array $options, CasPay_Inbox $inbox ) {
		$secrets        = array_values( array_filter( $secrets, 'strlen' ) );
		$this->webhooks = $webhooks;
		$this->secrets  = static function () use ( $secrets ) {
			return $secrets;
		};
		$this->options  = $options;
		$this->inbox    = $inbox;
	}

	/**
	 * Handles one request.
	 *
	 * @param mixed       $body         The raw body.
	 * @param string|null $signature    The X-CasPay-Signature header.
	 * @param string      $claimed_type The X-CasPay-Event header (unsigned; logged for rejections only).
	 * @param string|null $encoding     The Content-Encoding header: CasPay signs plain JSON, and
	 *                                  what it signed cannot be known from an encoded body.
	 * @return array{status: int, body: array, headers: array, event: array|null, code: string|null, outcome: string}
	 */
	public function handle( $body, $signature, $claimed_type = '', $encoding = null ) {
		$engine = $this->webhooks->engine()->name();
		if ( null !== $encoding && '' !== trim( $encoding ) && 'identity' !== strtolower( trim( $encoding ) ) ) {
			$this->log_rejection( 415, 'unsupported_encoding', $claimed_type, $engine );
			return self::error( 415, 'unsupported_encoding', self::MESSAGES['unsupported_encoding'], null, 'rejected' );
		}
		try {
			$result = $this->webhooks->construct_with_index( $body, $signature, ( $this->secrets )(), $this->options );
		} catch ( CasPay_Webhook_Exception $e ) {
			$status = isset( self::STATUS[ $e->code_name ] ) ? self::STATUS[ $e->code_name ] : 400;
			$this->log_rejection( $status, $e->code_name, $claimed_type, $engine );
			$message = isset( self::MESSAGES[ $e->code_name ] ) ? self::MESSAGES[ $e->code_name ] : $e->getMessage();
			return self::error( $status, $e->code_name, $message, null, 'rejected' );
		} catch ( Throwable $e ) {
			// A bug must still produce an answer CasPay retries, never a fatal error page.
			$this->log_rejection( 500, 'internal_error', $claimed_type, $engine );
			return self::error( 500, 'internal_error', self::MESSAGES['internal_error'], null, 'rejected' );
		}
		$event = $result['event'];
		try {
			$outcome = $this->inbox->deliver( $event, $engine, $result['secret_index'] );
		} catch ( Throwable $e ) {
			// Nothing was recorded (database down): CasPay must send it again.
			$this->log_quietly( 'unrecorded', 503, 'store_unavailable', $event, $engine, $result['secret_index'], null, $e->getMessage(), null );
			return self::error( 503, 'store_unavailable', self::MESSAGES['store_unavailable'], $event, 'unrecorded' );
		}
		$answer = self::answer_for( $outcome, $event );
		$copy   = in_array( $outcome['outcome'], array( 'duplicate', 'dead_copy', 'in_progress', 'retry_scheduled' ), true );
		$this->log_quietly(
			$outcome['outcome'],
			$answer['status'],
			(string) $answer['code'],
			$event,
			$engine,
			$result['secret_index'],
			$outcome['attempt'],
			$outcome['error'],
			// Copies of one event within a minute share a row; runs get a row each.
			$copy ? 'copy|' . $outcome['outcome'] . '|' . $answer['status'] . '|' . $event['idempotencyKey'] . '|' . gmdate( 'Y-m-d H:i', $this->inbox->now() ) : null
		);
		return $answer;
	}

	/**
	 * The HTTP answer for an inbox outcome.
	 *
	 * @param array $outcome See CasPay_Inbox::deliver().
	 * @param array $event   The event.
	 * @return array
	 */
	private static function answer_for( array $outcome, array $event ) {
		switch ( $outcome['outcome'] ) {
			case 'processed':
				return self::answer( 200, array( 'received' => true ), $event, null, 'processed' );
			case 'duplicate':
				return self::answer( 200, array( 'duplicate' => true ), $event, 'duplicate_event', 'duplicate' );
			case 'dead_copy':
				// More deliveries cannot help: an operator re-runs it from the delivery screen.
				return self::answer(
					200,
					array(
						'duplicate' => true,
						'state'     => 'dead',
					),
					$event,
					'duplicate_event',
					'dead_copy'
				);
			case 'in_progress':
			case 'retry_scheduled':
				$code              = 'in_progress' === $outcome['outcome'] ? 'processing_in_progress' : 'retry_scheduled';
				$answer            = self::error( 409, $code, self::MESSAGES[ $code ], $event, $outcome['outcome'] );
				$answer['headers'] = array( 'Retry-After' => (string) $outcome['retry_after'] );
				return $answer;
			default: // failed, dead: this run failed; CasPay's retry is the next attempt.
				return self::error( 500, 'processing_failed', self::MESSAGES['processing_failed'], $event, $outcome['outcome'] );
		}
	}

	/**
	 * Logs a rejected delivery, counted per status, code and minute: an anonymous flood adds
	 * at most one row per code and minute.
	 *
	 * @param int    $status       HTTP status.
	 * @param string $code         Stable error code.
	 * @param mixed  $claimed_type The unsigned X-CasPay-Event header.
	 * @param string $engine       Engine name.
	 */
	private function log_rejection( $status, $code, $claimed_type, $engine ) {
		$this->log_quietly( 'rejected', $status, $code, array( 'type' => is_string( $claimed_type ) ? $claimed_type : '' ), $engine, null, null, null, 'rejected|' . $status . '|' . $code . '|' . gmdate( 'Y-m-d H:i', $this->inbox->now() ) );
	}

	/**
	 * Appends to the log; a log that cannot be written never changes the answer.
	 *
	 * @param string      $status       Outcome.
	 * @param int         $http_status  HTTP status.
	 * @param string      $code         Code or ''.
	 * @param array       $event        The event (or just its `type`).
	 * @param string      $engine       Engine.
	 * @param int|null    $secret_index Secret.
	 * @param int|null    $attempt      Attempt.
	 * @param string|null $message      Failure.
	 * @param string|null $bucket       Aggregation bucket.
	 */
	private function log_quietly( $status, $http_status, $code, array $event, $engine, $secret_index, $attempt, $message, $bucket ) {
		try {
			$this->inbox->log(
				array(
					'via'          => 'http',
					'status'       => $status,
					'http_status'  => $http_status,
					'code'         => $code,
					'type'         => isset( $event['type'] ) ? (string) $event['type'] : '',
					'key'          => isset( $event['idempotencyKey'] ) ? (string) $event['idempotencyKey'] : '',
					'engine'       => $engine,
					'secret_index' => $secret_index,
					'attempt'      => $attempt,
					'message'      => $message,
					'bucket'       => $bucket,
				)
			);
		} catch ( Throwable $e ) {
			unset( $e );
		}
	}

	/**
	 * An error answer.
	 *
	 * @param int        $status  HTTP status.
	 * @param string     $code    Code.
	 * @param string     $message Message.
	 * @param array|null $event   The event, when verified.
	 * @param string     $outcome Outcome.
	 * @return array
	 */
	private static function error( $status, $code, $message, $event, $outcome ) {
		return self::answer(
			$status,
			array(
				'error' => array(
					'code'    => $code,
					'message' => $message,
				),
			),
			$event,
			$code,
			$outcome
		);
	}

	/**
	 * The answer structure.
	 *
	 * @param int         $status  HTTP status.
	 * @param array       $body    JSON body.
	 * @param array|null  $event   The event, when verified.
	 * @param string|null $code    Outcome code, null for a processed event.
	 * @param string      $outcome processed, duplicate, dead_copy, in_progress, retry_scheduled,
	 *                             failed, dead, rejected or unrecorded.
	 * @return array
	 */
	private static function answer( $status, array $body, $event, $code, $outcome ) {
		return array(
			'status'  => $status,
			'body'    => $body,
			'headers' => array(),
			'event'   => $event,
			'code'    => $code,
			'outcome' => $outcome,
		);
	}

	/**
	 * What var_dump() shows: never the secrets.
	 *
	 * @return array
	 */
	public function __debugInfo() {
		return array(
			'secrets' => '[REDACTED; ' . count( ( $this->secrets )() ) . ']',
			'options' => $this->options,
			'engine'  => $this->webhooks->engine()->name(),
		);
	}
}
