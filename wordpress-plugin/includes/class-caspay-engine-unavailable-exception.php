<?php
/**
 * Raised when an engine cannot start on this PHP (no FFI, no Wasmtime library, ...).
 *
 * @package CasPay_Webhooks
 */

defined( 'ABSPATH' ) || defined( 'CASPAY_WEBHOOKS_LIBRARY' ) || exit;

/**
 * Not a webhook failure: the message says why the engine is missing and how to enable it,
 * so the settings screen can show it verbatim.
 */
class CasPay_Engine_Unavailable_Exception extends RuntimeException {
}
