<?php
/**
 * The one exception every engine throws for a rejected delivery.
 *
 * @package CasPay_Webhooks
 */

defined( 'ABSPATH' ) || defined( 'CASPAY_WEBHOOKS_LIBRARY' ) || exit;

/**
 * A failure with a stable code (`signature_mismatch`, `invalid_event`, ...) shared by every
 * host of the CasPay core, and a message that tells the merchant what to do.
 *
 * Callers branch on `$e->code_name`; people read `$e->getMessage()`. The numeric
 * `getCode()` is the plain ABI's status number for the same code.
 */
class CasPay_Webhook_Exception extends RuntimeException {

	/**
	 * The stable codes, in ABI status order (status = index + 1). New codes are only appended.
	 */
	const CODES = array(
		'missing_signature',
		'invalid_signature_format',
		'signature_mismatch',
		'invalid_secret',
		'payload_too_large',
		'invalid_json',
		'invalid_event',
		'timestamp_outside_tolerance',
		'duplicate_event',
		'invalid_payload',
		'internal_error',
	);

	/**
	 * What each code means and what to do about it. The same advice the Rust core gives, so
	 * a merchant reads the same sentence whichever engine answered.
	 */
	const ADVICE = array(
		'missing_signature'           => 'No X-CasPay-Signature header was sent. CasPay signs every delivery; read the header from the request you received.',
		'invalid_signature_format'    => 'The X-CasPay-Signature header must be 64 hexadecimal characters, optionally prefixed with "sha256=". The dashboard\'s test button sends the literal "test_signature", which is not a signature and is always rejected.',
		'signature_mismatch'          => 'The signature does not match the body. Pass the raw request body exactly as received (not a parsed or re-serialized object) and check the endpoint secret, including its whsec_ prefix.',
		'invalid_secret'              => 'The webhook secret is empty. Copy the endpoint secret (whsec_...) from the CasPay dashboard.',
		'payload_too_large'           => 'The body is larger than the configured limit.',
		'invalid_json'                => 'The body is not valid JSON.',
		'invalid_event'               => 'The body is JSON but not a CasPay event.',
		'timestamp_outside_tolerance' => 'The event\'s signed timestamp is too far from the current time; it may be a replayed delivery.',
		'duplicate_event'             => 'This event was already processed.',
		'invalid_payload'             => 'Pass the raw request body (a string: file_get_contents(\'php://input\') or WP_REST_Request::get_body()), not a parsed array or object: re-serializing JSON changes the bytes that were signed.',
		'internal_error'              => 'The WebAssembly instance failed and was replaced by a fresh one; the call can be retried.',
	);

	/**
	 * The stable code, e.g. `signature_mismatch`.
	 *
	 * @var string
	 */
	public $code_name;

	/**
	 * For `invalid_event`: the path of the offending field (`data.payment.amount`).
	 *
	 * @var string|null
	 */
	public $field;

	/**
	 * For `invalid_json`: the byte offset where parsing failed, when the engine knows it.
	 *
	 * @var int|null
	 */
	public $position;

	/**
	 * Builds the exception.
	 *
	 * @param string      $code_name One of self::CODES.
	 * @param string      $message   The full message for people.
	 * @param string|null $field     Offending field path, for invalid_event.
	 * @param int|null    $position  Byte offset, for invalid_json.
	 */
	public function __construct( $code_name, $message, $field = null, $position = null ) {
		$number = array_search( $code_name, self::CODES, true );
		parent::__construct( $message, false === $number ? 0 : $number + 1 );
		$this->code_name = $code_name;
		$this->field     = $field;
		$this->position  = $position;
	}

	/**
	 * An exception assembled the way the Rust core assembles its messages: the advice, then
	 * "Field `path`: reason number (at byte n)." when details are known.
	 *
	 * @param string      $code_name One of self::CODES.
	 * @param string|null $reason    What exactly failed.
	 * @param string|null $field     Offending field path.
	 * @param int|null    $number    A number the reason quotes (a limit).
	 * @param int|null    $position  Byte offset.
	 * @return self
	 */
	public static function create( $code_name, $reason = null, $field = null, $number = null, $position = null ) {
		$message = isset( self::ADVICE[ $code_name ] ) ? self::ADVICE[ $code_name ] : $code_name;
		if ( null !== $reason ) {
			$message .= ' ';
			if ( null !== $field ) {
				$message .= 'Field `' . $field . '`: ';
			}
			$message .= $reason;
			if ( null !== $number ) {
				$message .= ' ' . $number;
			}
			if ( null !== $position ) {
				$message .= ' (at byte ' . $position . ')';
			}
			$message .= '.';
		}
		return new self( $code_name, $message, $field, $position );
	}

	/**
	 * The code for an ABI status number, `internal_error` for numbers this version does not know.
	 *
	 * @param int $status A non-zero ABI status.
	 * @return string
	 */
	public static function code_for_status( $status ) {
		return isset( self::CODES[ $status - 1 ] ) ? self::CODES[ $status - 1 ] : 'internal_error';
	}

	/**
	 * The error as the JSON shape every host uses.
	 *
	 * @return array{code: string, message: string, field: string|null, position: int|null}
	 */
	public function to_array() {
		return array(
			'code'     => $this->code_name,
			'message'  => $this->getMessage(),
			'field'    => $this->field,
			'position' => $this->position,
		);
	}
}
