<?php
/**
 * Plugin Name:       CasPay Webhooks
 * Description:       Receives CasPay webhooks: verifies each delivery's HMAC-SHA256 signature in constant time, parses every CasPay body shape into one event, and runs your listeners until each event succeeds, once. Runs the project's Rust core as WebAssembly when PHP FFI is available, identical pure PHP otherwise.
 * Version:           0.2.0
 * Requires at least: 6.0
 * Requires PHP:      8.0
 * Author:            caspay-webhooks contributors
 * License:           MIT
 * License URI:       https://opensource.org/licenses/MIT
 * Text Domain:       caspay-webhooks
 * Domain Path:       /languages
 *
 * @package CasPay_Webhooks
 */

defined( 'ABSPATH' ) || exit;

define( 'CASPAY_WEBHOOKS_VERSION', '0.2.0' );

require_once __DIR__ . '/includes/autoload.php';

CasPay_Plugin::boot( __FILE__ );
