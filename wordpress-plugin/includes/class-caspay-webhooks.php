<?php
/**
 * The library's front door: verify, sign, parse, construct.
 *
 * @package CasPay_Webhooks
 */

defined( 'ABSPATH' ) || defined( 'CASPAY_WEBHOOKS_LIBRARY' ) || exit;

/**
 * Verifies and parses CasPay webhooks on the engine chosen by CasPay_Engine_Selector.
 *
 *     require 'caspay-webhooks/includes/autoload.php';
 *     $caspay = new CasPay_Webhooks();
 *     try {
 *         $event = $caspay->construct(
 *             file_get_contents( 'php://input' ),
 *             $_SERVER['HTTP_X_CASPAY_SIGNATURE'] ?? null,
 *             array( $current_secret, $previous_secret ),
 *             array( 'tolerance' => 300 )
 *         );
 *     } catch ( CasPay_Webhook_Exception $e ) {
 *         http_response_code( 'payload_too_large' === $e->code_name ? 413 : 400 );
 *     }
 *
 * Arguments are checked here, once, so every engine receives the same well-formed input.
 */
final class CasPay_Webhooks {

	/** The header CasPay puts the signature in. */
	const SIGNATURE_HEADER = 'X-CasPay-Signature';

	/** The header naming the event type (informational, not signed). */
	const EVENT_HEADER = 'X-CasPay-Event';

	/** The delivery time header. It is NOT signed: never trust it alone. */
	const TIMESTAMP_HEADER = 'X-CasPay-Timestamp';

	/** CasPay events are a few hundred bytes; 256 KiB leaves room for large metadata. */
	const DEFAULT_MAX_PAYLOAD_BYTES = 262144;

	/** CasPay events nest four levels; 32 leaves room for metadata. */
	const DEFAULT_MAX_DEPTH = 32;

	/** A larger max_depth counts as this, as in the core: it bounds every walk over the body. */
	const MAX_DEPTH_LIMIT = 128;

	/**
	 * The engine.
	 *
	 * @var CasPay_Engine
	 */
	private $engine;

	/**
	 * Why this engine, for people.
	 *
	 * @var string
	 */
	private $reason;

	/**
	 * Uses the given engine, or selects one (see CasPay_Engine_Selector::select()).
	 *
	 * @param CasPay_Engine|string|null $engine      An engine, `auto`/`wasm`/`php`, or null.
	 * @param array                     $wasm_config See CasPay_Wasm_Runtime::shared().
	 */
	public function __construct( $engine = null, array $wasm_config = array() ) {
		if ( $engine instanceof CasPay_Engine ) {
			$this->engine = $engine;
			$this->reason = 'This engine was passed in.';
			return;
		}
		$selected     = CasPay_Engine_Selector::select( $engine, $wasm_config );
		$this->engine = $selected['engine'];
		$this->reason = $selected['reason'];
	}

	/**
	 * The engine in use.
	 *
	 * @return CasPay_Engine
	 */
	public function engine() {
		return $this->engine;
	}

	/**
	 * Why this engine is in use.
	 *
	 * @return string
	 */
	public function engine_reason() {
		return $this->reason;
	}

	/**
	 * Verifies a signature against the raw body with one or more secrets (the current one
	 * first, then the previous one during a rotation).
	 *
	 * @param string               $body      The raw request body, exactly as received.
	 * @param string|null          $signature The X-CasPay-Signature header value, null when absent.
	 * @param string|string[]      $secrets   The endpoint secret(s), whsec_ prefix included.
	 * @return int The index of the secret that matched.
	 * @throws CasPay_Webhook_Exception invalid_payload, invalid_secret, missing_signature,
	 *                                  invalid_signature_format or signature_mismatch.
	 */
	public function verify( $body, $signature, #[\SensitiveParameter] $secrets ) {
		$body      = self::body( $body );
		$secrets   = self::secrets( $secrets );
		$signature = self::signature( $signature );
		foreach ( $secrets as $index => $secret ) {
			if ( $this->engine->verify_one( $body, $signature, $secret ) ) {
				return $index;
			}
		}
		throw CasPay_Webhook_Exception::create( 'signature_mismatch' );
	}

	/**
	 * The signature CasPay would send for a body: for your own tests and tools.
	 *
	 * @param string $body   Raw body.
	 * @param string $secret The endpoint secret.
	 * @return string 64 lowercase hex characters.
	 * @throws CasPay_Webhook_Exception invalid_payload or invalid_secret.
	 */
	public function sign( $body, #[\SensitiveParameter] $secret ) {
		$secrets = self::secrets( $secret );
		return $this->engine->sign( self::body( $body ), $secrets[0] );
	}

	/**
	 * Parses a body into the normalized event WITHOUT verifying it: for bodies verified
	 * already. For anything from the network, use construct().
	 *
	 * @param string $body    Raw body.
	 * @param array  $options See options().
	 * @return array The normalized event (tests/vectors/README.md).
	 * @throws CasPay_Webhook_Exception payload_too_large, invalid_json, invalid_event or
	 *                                  timestamp_outside_tolerance.
	 */
	public function parse( $body, array $options = array() ) {
		$body    = self::body( $body );
		$options = self::options( $options );
		return $this->engine->parse( $body, $options['max_payload_bytes'], $options['max_depth'], $options['tolerance'], $options['now'] );
	}

	/**
	 * Verifies, then parses: the one call a receiver needs. The order is fixed and shared
	 * by every host: size, signature, JSON, event, freshness. Nothing is parsed before the
	 * signature is valid.
	 *
	 * @param string          $body      The raw request body.
	 * @param string|null     $signature The X-CasPay-Signature header value.
	 * @param string|string[] $secrets   The endpoint secret(s), current first.
	 * @param array           $options   See options().
	 * @return array The normalized event.
	 * @throws CasPay_Webhook_Exception With a stable code.
	 */
	public function construct( $body, $signature, #[\SensitiveParameter] $secrets, array $options = array() ) {
		return $this->construct_with_index( $body, $signature, $secrets, $options )['event'];
	}

	/**
	 * As construct(), also telling which secret matched (to see when a rotation is over).
	 *
	 * @param string          $body      The raw request body.
	 * @param string|null     $signature The X-CasPay-Signature header value.
	 * @param string|string[] $secrets   The endpoint secret(s), current first.
	 * @param array           $options   See options().
	 * @return array{event: array, secret_index: int}
	 * @throws CasPay_Webhook_Exception With a stable code.
	 */
	public function construct_with_index( $body, $signature, #[\SensitiveParameter] $secrets, array $options = array() ) {
		$body    = self::body( $body );
		$secrets = self::secrets( $secrets );
		$options = self::options( $options );
		if ( strlen( $body ) > $options['max_payload_bytes'] ) {
			throw CasPay_Webhook_Exception::create( 'payload_too_large', 'the limit in bytes is', null, $options['max_payload_bytes'] );
		}
		$signature = self::signature( $signature );
		foreach ( $secrets as $index => $secret ) {
			$event = $this->engine->construct_one( $body, $signature, $secret, $options['max_payload_bytes'], $options['max_depth'], $options['tolerance'], $options['now'] );
			if ( null !== $event ) {
				return array(
					'event'        => $event,
					'secret_index' => $index,
				);
			}
		}
		throw CasPay_Webhook_Exception::create( 'signature_mismatch' );
	}

	/**
	 * Options with defaults: `max_payload_bytes` (262144), `max_depth` (32), `tolerance`
	 * (seconds between the event's signed time and `now`; null, the default, checks
	 * nothing) and `now` (unix seconds, default time(); a parameter so tests need no clock).
	 *
	 * @param array $options As passed.
	 * @return array{max_payload_bytes: int, max_depth: int, tolerance: int|null, now: int}
	 * @throws InvalidArgumentException For values of the wrong type or range.
	 */
	public static function options( array $options ) {
		$unknown = array_diff( array_keys( $options ), array( 'max_payload_bytes', 'max_depth', 'tolerance', 'now' ) );
		if ( $unknown ) {
			throw new InvalidArgumentException( 'Unknown CasPay option(s): ' . implode( ', ', $unknown ) . '. Known: max_payload_bytes, max_depth, tolerance, now.' );
		}
		$out = array(
			'max_payload_bytes' => self::DEFAULT_MAX_PAYLOAD_BYTES,
			'max_depth'         => self::DEFAULT_MAX_DEPTH,
			'tolerance'         => null,
			'now'               => null,
		);
		foreach ( array( 'max_payload_bytes', 'max_depth' ) as $name ) {
			if ( isset( $options[ $name ] ) ) {
				if ( ! is_int( $options[ $name ] ) || $options[ $name ] < 1 ) {
					throw new InvalidArgumentException( sprintf( 'The CasPay option %s must be a positive integer.', $name ) );
				}
				$out[ $name ] = $options[ $name ];
			}
		}
		$out['max_depth'] = min( $out['max_depth'], self::MAX_DEPTH_LIMIT );
		foreach ( array( 'tolerance', 'now' ) as $name ) {
			if ( isset( $options[ $name ] ) ) {
				if ( ! is_int( $options[ $name ] ) || $options[ $name ] < 0 ) {
					throw new InvalidArgumentException( sprintf( 'The CasPay option %s must be a non-negative integer (seconds).', $name ) );
				}
				$out[ $name ] = $options[ $name ];
			}
		}
		if ( null === $out['now'] ) {
			$out['now'] = time();
		}
		return $out;
	}

	/**
	 * The body as bytes; anything but a string is the classic mistake of passing parsed JSON.
	 *
	 * @param mixed $body As passed.
	 * @return string
	 * @throws CasPay_Webhook_Exception invalid_payload.
	 */
	private static function body( $body ) {
		if ( is_string( $body ) ) {
			return $body;
		}
		$what = is_object( $body ) ? get_class( $body ) : gettype( $body );
		$hint = ( is_array( $body ) || is_object( $body ) ) ? 'it looks like already-parsed JSON (json_decode or $request->get_json_params())' : 'it is not text';
		throw CasPay_Webhook_Exception::create( 'invalid_payload', 'Got ' . $what . ': ' . $hint );
	}

	/**
	 * The signature header value; arrays (a header sent twice) are not a signature.
	 *
	 * @param mixed $signature As passed.
	 * @return string|null
	 * @throws CasPay_Webhook_Exception invalid_signature_format.
	 */
	private static function signature( $signature ) {
		if ( null === $signature || is_string( $signature ) ) {
			return $signature;
		}
		throw CasPay_Webhook_Exception::create( 'invalid_signature_format', 'the header value must be a string, got ' . gettype( $signature ) );
	}

	/**
	 * The secrets as a non-empty list of non-empty strings. All are checked before any is
	 * used, as the core builds its verifier from all of them first.
	 *
	 * @param mixed $secrets As passed.
	 * @return string[]
	 * @throws CasPay_Webhook_Exception invalid_secret.
	 */
	private static function secrets( #[\SensitiveParameter] $secrets ) {
		$list = is_array( $secrets ) ? array_values( $secrets ) : array( $secrets );
		if ( ! $list ) {
			throw CasPay_Webhook_Exception::create( 'invalid_secret', 'no secret was given' );
		}
		foreach ( $list as $secret ) {
			if ( ! is_string( $secret ) ) {
				throw CasPay_Webhook_Exception::create( 'invalid_secret', 'each secret must be a string, got ' . gettype( $secret ) );
			}
			if ( '' === $secret ) {
				throw CasPay_Webhook_Exception::create( 'invalid_secret' );
			}
		}
		return $list;
	}
}
