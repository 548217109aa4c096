<?php
/**
 * The shared vectors on the pure-PHP engine.
 *
 * @package CasPay_Webhooks
 */

require_once __DIR__ . '/class-caspay-vectors-test-case.php';

/**
 * Every vector, pure PHP.
 */
final class PhpEngineVectorsTest extends CasPay_Vectors_Test_Case {

	/**
	 * {@inheritDoc}
	 */
	protected static function engine() {
		return new CasPay_Php_Engine();
	}
}
