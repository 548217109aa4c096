<?php
/**
 * Router for `php -S`: static files as they are, everything else through WordPress's
 * index.php, as Apache's rewrite rules would (pretty permalinks, /wp-json/...).
 *
 * @package CasPay_Webhooks
 */

$caspay_path = parse_url( $_SERVER['REQUEST_URI'], PHP_URL_PATH );
if ( '/' !== $caspay_path && is_file( $_SERVER['DOCUMENT_ROOT'] . $caspay_path ) ) {
	return false;
}
$_SERVER['SCRIPT_NAME'] = '/index.php';
require $_SERVER['DOCUMENT_ROOT'] . '/index.php';
