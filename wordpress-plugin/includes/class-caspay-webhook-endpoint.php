<?php
/**
 * One webhook endpoint: its secrets and options, bound once, used for every delivery.
 *
 * @package CasPay_Webhooks
 */

defined( 'ABSPATH' ) || defined( 'CASPAY_WEBHOOKS_LIBRARY' ) || exit;

/**
 * Holds the endpoint secret(s) so the hot path only passes the body and the header.
 *
 * The secrets never leave this object: var_dump(), print_r() and debug loggers see
 * `[REDACTED; n]` (__debugInfo), serialization is refused, and a string cast names only
 * the engine.
 */
final class CasPay_Webhook_Endpoint {

	/**
	 * Returns the secrets, current first. A closure rather than an array property because
	 * var_export() and (array) casts ignore __debugInfo() but cannot see into a closure.
	 *
	 * @var Closure
	 */
	private $secrets;

	/**
	 * How many secrets.
	 *
	 * @var int
	 */
	private $secret_count;

	/**
	 * Parse options (see CasPay_Webhooks::options()).
	 *
	 * @var array
	 */
	private $options;

	/**
	 * The facade.
	 *
	 * @var CasPay_Webhooks
	 */
	private $webhooks;

	/**
	 * Binds secrets and options.
	 *
	 * @param string|string[]      $secrets  Current secret, or [current, previous].
	 * @param array                $options  See CasPay_Webhooks::options() (`now` is taken per call when absent).
	 * @param CasPay_Webhooks|null $webhooks The facade, or null for the automatic engine.
	 * @throws CasPay_Webhook_Exception invalid_secret for empty secrets.
	 */
	public function __construct( #[\SensitiveParameter] $secrets, array $options = array(), $webhooks = null ) {
		$this->webhooks = $webhooks instanceof CasPay_Webhooks ? $webhooks : new CasPay_Webhooks();
		CasPay_Webhooks::options( $options );
		$this->options = $options;
		$list          = is_array( $secrets ) ? array_values( $secrets ) : array( $secrets );
		// Checked now, so a misconfigured endpoint fails at setup rather than per delivery.
		if ( ! $list ) {
			throw CasPay_Webhook_Exception::create( 'invalid_secret', 'no secret was given' );
		}
		foreach ( $list as $secret ) {
			if ( ! is_string( $secret ) || '' === $secret ) {
				throw CasPay_Webhook_Exception::create( 'invalid_secret' );
			}
		}
		$this->secret_count = count( $list );
		$this->secrets      = static function () use ( $list ) {
			return $list;
		};
	}

	/**
	 * Verifies and parses one delivery.
	 *
	 * @param string      $body      Raw body.
	 * @param string|null $signature X-CasPay-Signature value.
	 * @return array{event: array, secret_index: int}
	 * @throws CasPay_Webhook_Exception With a stable code.
	 */
	public function construct( $body, $signature ) {
		return $this->webhooks->construct_with_index( $body, $signature, ( $this->secrets )(), $this->options );
	}

	/**
	 * Verifies one delivery.
	 *
	 * @param string      $body      Raw body.
	 * @param string|null $signature X-CasPay-Signature value.
	 * @return int Index of the matching secret.
	 * @throws CasPay_Webhook_Exception With a stable code.
	 */
	public function verify( $body, $signature ) {
		return $this->webhooks->verify( $body, $signature, ( $this->secrets )() );
	}

	/**
	 * Signs a body with the current secret (for tests and tools).
	 *
	 * @param string $body Raw body.
	 * @return string
	 */
	public function sign( $body ) {
		return $this->webhooks->sign( $body, ( $this->secrets )()[0] );
	}

	/**
	 * The engine name, for logs.
	 *
	 * @return string
	 */
	public function engine_name() {
		return $this->webhooks->engine()->name();
	}

	/**
	 * What var_dump() and print_r() show: never the secrets.
	 *
	 * @return array
	 */
	public function __debugInfo() {
		return array(
			'secrets' => '[REDACTED; ' . $this->secret_count . ']',
			'options' => $this->options,
			'engine'  => $this->engine_name(),
		);
	}

	/**
	 * A string form that is safe to log.
	 *
	 * @return string
	 */
	public function __toString() {
		return 'CasPay_Webhook_Endpoint(engine=' . $this->engine_name() . ', secrets=[REDACTED])';
	}

	/**
	 * Serializing would write the secrets into a cache or a log.
	 *
	 * @throws LogicException Always.
	 */
	public function __serialize() {
		throw new LogicException( 'A CasPay_Webhook_Endpoint holds secrets and cannot be serialized.' );
	}

	/**
	 * See __serialize().
	 *
	 * @param array $data Unused.
	 * @throws LogicException Always.
	 */
	public function __unserialize( array $data ) {
		throw new LogicException( 'A CasPay_Webhook_Endpoint cannot be unserialized.' );
	}
}
