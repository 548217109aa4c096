<?php
/**
 * Chooses the engine: WebAssembly when Wasmtime can run here, pure PHP otherwise.
 *
 * @package CasPay_Webhooks
 */

defined( 'ABSPATH' ) || defined( 'CASPAY_WEBHOOKS_LIBRARY' ) || exit;

/**
 * `auto` picks WebAssembly when FFI is usable, the Wasmtime library is found and the
 * module loads, and PHP otherwise. Both give the same results (the shared vectors prove
 * it), so the choice is about speed and about running the very code every other host
 * runs, never about correctness.
 */
final class CasPay_Engine_Selector {

	const ENGINES = array( 'auto', 'wasm', 'php' );

	/**
	 * The requested engine: the argument, else the CASPAY_WEBHOOKS_ENGINE constant, else the
	 * CASPAY_WEBHOOKS_ENGINE environment variable, else `auto`.
	 *
	 * @param string|null $preference `auto`, `wasm`, `php` or null.
	 * @return string
	 */
	public static function preference( $preference = null ) {
		if ( null === $preference || '' === $preference ) {
			if ( defined( 'CASPAY_WEBHOOKS_ENGINE' ) ) {
				$preference = (string) constant( 'CASPAY_WEBHOOKS_ENGINE' );
			} else {
				$environment = getenv( 'CASPAY_WEBHOOKS_ENGINE' );
				$preference  = is_string( $environment ) ? $environment : 'auto';
			}
		}
		$preference = strtolower( trim( (string) $preference ) );
		return in_array( $preference, self::ENGINES, true ) ? $preference : 'auto';
	}

	/**
	 * Exactly the named engine, or an exception saying why it cannot run.
	 *
	 * @param string $name        `wasm` or `php`.
	 * @param array  $wasm_config See CasPay_Wasm_Runtime::shared().
	 * @return CasPay_Engine
	 * @throws CasPay_Engine_Unavailable_Exception When it cannot run here.
	 * @throws InvalidArgumentException For an unknown name.
	 */
	public static function create( $name, array $wasm_config = array() ) {
		if ( 'php' === $name ) {
			return new CasPay_Php_Engine();
		}
		if ( 'wasm' === $name ) {
			return new CasPay_Wasm_Engine( $wasm_config );
		}
		throw new InvalidArgumentException( sprintf( 'Unknown CasPay engine "%s"; use wasm or php.', $name ) );
	}

	/**
	 * The engine to use, never failing: when the requested WebAssembly engine cannot run,
	 * the PHP engine answers and `reason` says why.
	 *
	 * @param string|null $preference  `auto`, `wasm`, `php` or null (see preference()).
	 * @param array       $wasm_config See CasPay_Wasm_Runtime::shared().
	 * @return array{engine: CasPay_Engine, requested: string, reason: string}
	 */
	public static function select( $preference = null, array $wasm_config = array() ) {
		$requested = self::preference( $preference );
		if ( 'php' === $requested ) {
			return array(
				'engine'    => new CasPay_Php_Engine(),
				'requested' => $requested,
				'reason'    => 'The pure-PHP engine was requested.',
			);
		}
		try {
			$engine = new CasPay_Wasm_Engine( $wasm_config );
			return array(
				'engine'    => $engine,
				'requested' => $requested,
				'reason'    => 'PHP FFI is enabled, Wasmtime was found and the module loaded.',
			);
		} catch ( Throwable $e ) {
			// Anything (a missing library, FFI refusing, a trap while checking the ABI) must
			// leave the webhook endpoint answering, on the engine that always works.
			return array(
				'engine'    => new CasPay_Php_Engine(),
				'requested' => $requested,
				'reason'    => $e instanceof CasPay_Engine_Unavailable_Exception ? $e->getMessage() : get_class( $e ) . ': ' . $e->getMessage(),
			);
		}
	}
}
