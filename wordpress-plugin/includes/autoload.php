<?php
/**
 * Class loading for the CasPay webhook library, inside WordPress or not.
 *
 * Outside WordPress: `require 'path/to/caspay-webhooks/includes/autoload.php';` then use
 * CasPay_Webhooks. Every class lives in includes/class-<name>.php (interfaces in
 * interface-<name>.php), WordPress style.
 *
 * @package CasPay_Webhooks
 */

if ( ! defined( 'CASPAY_WEBHOOKS_LIBRARY' ) ) {
	define( 'CASPAY_WEBHOOKS_LIBRARY', __DIR__ );
}

spl_autoload_register(
	static function ( $class_name ) {
		if ( 0 !== strncmp( $class_name, 'CasPay_', 7 ) ) {
			return;
		}
		$file = strtolower( str_replace( '_', '-', $class_name ) ) . '.php';
		foreach ( array( 'class-', 'interface-' ) as $prefix ) {
			if ( is_file( __DIR__ . '/' . $prefix . $file ) ) {
				require_once __DIR__ . '/' . $prefix . $file;
				return;
			}
		}
	}
);
