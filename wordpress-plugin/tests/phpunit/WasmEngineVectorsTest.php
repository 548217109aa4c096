<?php
/**
 * The shared vectors on the WebAssembly engine (Wasmtime through FFI).
 *
 * @package CasPay_Webhooks
 */

require_once __DIR__ . '/class-caspay-vectors-test-case.php';

/**
 * Every vector, through the Rust core compiled to WebAssembly, in both memory
 * configurations (CasPay_Wasm_Runtime::GUARDED_CONFIG, ::CHECKED_CONFIG): guard pages,
 * as on a server without an address-space limit, and explicit bounds checks, as under
 * `ulimit -v`. Fails (never skips) when FFI or Wasmtime is missing.
 */
class WasmEngineVectorsTest extends CasPay_Vectors_Test_Case {

	/**
	 * Guard pages or bounds checks.
	 *
	 * @var bool
	 */
	protected static $guard_pages = true;

	/**
	 * One engine for the whole class, as a long-lived PHP process would keep it.
	 *
	 * @var CasPay_Wasm_Engine|null
	 */
	protected static $engine;

	/**
	 * {@inheritDoc}
	 */
	protected static function engine() {
		if ( null === static::$engine ) {
			static::$engine = CasPay_Test_Vectors::wasm_engine( array( 'guard_pages' => static::$guard_pages ) );
		}
		return static::$engine;
	}

	/**
	 * No vector may have cost an instance.
	 */
	public static function tearDownAfterClass(): void {
		if ( null !== static::$engine && 0 !== static::$engine->replaced_instances ) {
			throw new RuntimeException( 'The WebAssembly instance trapped during the vectors.' );
		}
		static::$engine = null;
	}
}
