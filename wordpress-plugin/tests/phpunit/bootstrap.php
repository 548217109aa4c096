<?php
/**
 * PHPUnit bootstrap: the library without WordPress, plus the shared test vectors.
 *
 * @package CasPay_Webhooks
 */

error_reporting( E_ALL );
require dirname( __DIR__, 2 ) . '/includes/autoload.php';
require __DIR__ . '/class-caspay-test-vectors.php';
require __DIR__ . '/class-caspay-memory-inbox-store.php';
require __DIR__ . '/class-caspay-inbox-store-contract.php';
require __DIR__ . '/class-caspay-test-reserialize.php';
