<?php
/**
 * Where the request handler records deliveries and claims events exactly once.
 *
 * @package CasPay_Webhooks
 */

defined( 'ABSPATH' ) || defined( 'CASPAY_WEBHOOKS_LIBRARY' ) || exit;

/**
 * The plugin's implementation is a database table with a unique key
 * (CasPay_Delivery_Log); claim() must be atomic across concurrent requests, because
 * CasPay retries and proxies can deliver the same event at the same moment.
 */
interface CasPay_Delivery_Store {

	/**
	 * Records a verified delivery and claims its event: true for the first delivery of
	 * this idempotency key (the caller then processes it), false for a duplicate.
	 *
	 * @param array  $event        The normalized event.
	 * @param string $engine       Engine name.
	 * @param int    $secret_index Which secret matched.
	 * @return bool
	 */
	public function claim( array $event, $engine, $secret_index );

	/**
	 * Gives a claimed event back after its processing failed, so CasPay's retry is
	 * processed again instead of being taken for a duplicate.
	 *
	 * @param array  $event  The normalized event.
	 * @param string $reason Why processing failed.
	 */
	public function release( array $event, $reason );

	/**
	 * Records a rejected delivery.
	 *
	 * @param int    $http_status  Status answered.
	 * @param string $code         Stable error code.
	 * @param string $claimed_type The unsigned X-CasPay-Event header, for people only.
	 * @param string $engine       Engine name.
	 */
	public function reject( $http_status, $code, $claimed_type, $engine );
}
