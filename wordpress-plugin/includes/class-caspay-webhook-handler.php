<?php
/**
 * One webhook request in, one HTTP answer out; no WordPress needed.
 *
 * @package CasPay_Webhooks
 */

defined( 'ABSPATH' ) || defined( 'CASPAY_WEBHOOKS_LIBRARY' ) || exit;

/**
 * The receiver's whole decision: verify and parse (CasPay_Webhooks::construct order),
 * claim the event once, dispatch it, and map every outcome to the status CasPay should
 * see. 2xx stops CasPay's retries, so only deliveries that can never succeed (bad
 * signature, bad body, too large, stale) get a 4xx, and failures on our side (no secret
 * configured yet, an internal error, a listener that threw) get a 5xx so CasPay retries.
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
		'invalid_payload'             => 400,
		'invalid_secret'              => 500,
		'internal_error'              => 500,
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
	 * Records and claims.
	 *
	 * @var CasPay_Delivery_Store
	 */
	private $store;

	/**
	 * Called with each new event.
	 *
	 * @var callable
	 */
	private $dispatch;

	/**
	 * Builds the handler.
	 *
	 * @param CasPay_Webhooks       $webhooks The facade (engine chosen).
	 * @param string[]              $secrets  Current secret first; empty strings are skipped.
	 * @param array                 $options  See CasPay_Webhooks::options().
	 * @param CasPay_Delivery_Store $store    Deduplication and log.
	 * @param callable              $dispatch Receives each new event; may throw.
	 */
	public function __construct( CasPay_Webhooks $webhooks, #[\SensitiveParameter] array $secrets, array $options, CasPay_Delivery_Store $store, callable $dispatch ) {
		$secrets        = array_values( array_filter( $secrets, 'strlen' ) );
		$this->webhooks = $webhooks;
		$this->secrets  = static function () use ( $secrets ) {
			return $secrets;
		};
		$this->options  = $options;
		$this->store    = $store;
		$this->dispatch = $dispatch;
	}

	/**
	 * Handles one request.
	 *
	 * @param mixed       $body         The raw body.
	 * @param string|null $signature    The X-CasPay-Signature header.
	 * @param string      $claimed_type The X-CasPay-Event header (unsigned; logged for rejections only).
	 * @return array{status: int, body: array, event: array|null, code: string|null}
	 */
	public function handle( $body, $signature, $claimed_type = '' ) {
		$engine = $this->webhooks->engine()->name();
		try {
			$result = $this->webhooks->construct_with_index( $body, $signature, ( $this->secrets )(), $this->options );
		} catch ( CasPay_Webhook_Exception $e ) {
			$status = isset( self::STATUS[ $e->code_name ] ) ? self::STATUS[ $e->code_name ] : 400;
			$this->store->reject( $status, $e->code_name, (string) $claimed_type, $engine );
			$message = 'invalid_secret' === $e->code_name
				? 'This endpoint has no webhook secret configured yet; CasPay will retry.'
				: $e->getMessage();
			return self::answer( $status, array( 'error' => array( 'code' => $e->code_name, 'message' => $message ) ), null, $e->code_name );
		} catch ( Throwable $e ) {
			// A bug must still produce an answer CasPay retries, never a fatal error page.
			$this->store->reject( 500, 'internal_error', (string) $claimed_type, $engine );
			return self::answer( 500, array( 'error' => array( 'code' => 'internal_error', 'message' => 'The webhook could not be processed; CasPay will retry.' ) ), null, 'internal_error' );
		}
		$event = $result['event'];
		try {
			$is_new = $this->store->claim( $event, $engine, $result['secret_index'] );
		} catch ( Throwable $e ) {
			// The event could not be recorded (database down): make CasPay retry it later.
			return self::answer( 500, array( 'error' => array( 'code' => 'internal_error', 'message' => 'The delivery could not be recorded; CasPay will retry.' ) ), $event, 'internal_error' );
		}
		if ( ! $is_new ) {
			return self::answer( 200, array( 'duplicate' => true ), $event, 'duplicate_event' );
		}
		try {
			call_user_func( $this->dispatch, $event );
		} catch ( Throwable $e ) {
			$this->store->release( $event, get_class( $e ) . ': ' . $e->getMessage() );
			return self::answer(
				500,
				array(
					'error' => array(
						'code'    => 'internal_error',
						'message' => 'A listener failed while processing the event; CasPay will retry it.',
					),
				),
				$event,
				'internal_error'
			);
		}
		return self::answer( 200, array( 'received' => true ), $event, null );
	}

	/**
	 * The answer structure.
	 *
	 * @param int         $status HTTP status.
	 * @param array       $body   JSON body.
	 * @param array|null  $event  The event, when verified.
	 * @param string|null $code   Outcome code, null for a new event.
	 * @return array
	 */
	private static function answer( $status, array $body, $event, $code ) {
		return array(
			'status' => $status,
			'body'   => $body,
			'event'  => $event,
			'code'   => $code,
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
