<?php
/**
 * Opcache preloading for hosts that keep ffi.enable=preload (php-fpm's default).
 *
 * With ffi.enable=preload, PHP only lets preloaded code call FFI. Point opcache.preload
 * here and ffi.preload at a copy of includes/wasmtime-ffi.h whose FFI_LIB names the
 * Wasmtime library; the WebAssembly engine then binds the preloaded scope. See readme.txt.
 *
 * @package CasPay_Webhooks
 */

if ( ! defined( 'CASPAY_WEBHOOKS_LIBRARY' ) ) {
	define( 'CASPAY_WEBHOOKS_LIBRARY', __DIR__ . '/includes' );
}
foreach ( glob( __DIR__ . '/includes/{interface,class}-caspay-*.php', GLOB_BRACE ) as $caspay_file ) {
	opcache_compile_file( $caspay_file );
}
