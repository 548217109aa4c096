<?php
/**
 * The shared vectors on the WebAssembly engine with explicit bounds checks.
 *
 * @package CasPay_Webhooks
 */

require_once __DIR__ . '/WasmEngineVectorsTest.php';

/**
 * Every vector, with the engine configured as under an address-space limit.
 */
final class WasmBoundsCheckedVectorsTest extends WasmEngineVectorsTest {

	/**
	 * {@inheritDoc}
	 *
	 * @var bool
	 */
	protected static $guard_pages = false;

	/**
	 * This class's own engine, not its parent's.
	 *
	 * @var CasPay_Wasm_Engine|null
	 */
	protected static $engine;
}
