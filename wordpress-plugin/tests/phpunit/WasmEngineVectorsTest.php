<?php
/**
 * The shared vectors on the WebAssembly engine (Wasmtime through FFI).
 *
 * @package CasPay_Webhooks
 */

require_once __DIR__ . '/class-caspay-vectors-test-case.php';

/**
 * Every vector, through the Rust core compiled to WebAssembly. Fails (never skips) when
 * FFI or Wasmtime is missing.
 */
final class WasmEngineVectorsTest extends CasPay_Vectors_Test_Case {

	/**
	 * One engine for the whole class, as a long-lived PHP process would keep it.
	 *
	 * @var CasPay_Wasm_Engine|null
	 */
	private static $engine;

	/**
	 * {@inheritDoc}
	 */
	protected static function engine() {
		if ( null === self::$engine ) {
			self::$engine = CasPay_Test_Vectors::wasm_engine();
		}
		return self::$engine;
	}

	/**
	 * No vector may have cost an instance.
	 */
	public static function tearDownAfterClass(): void {
		if ( null !== self::$engine && 0 !== self::$engine->replaced_instances ) {
			throw new RuntimeException( 'The WebAssembly instance trapped during the vectors.' );
		}
		self::$engine = null;
	}
}
