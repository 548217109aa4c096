<?php
/**
 * Every event type CasPay documents or emits, and its category.
 *
 * @package CasPay_Webhooks
 */

defined( 'ABSPATH' ) || defined( 'CASPAY_WEBHOOKS_LIBRARY' ) || exit;

/**
 * The same table as the core's `EventKind`: spelling variants map to one canonical kind,
 * and a type not listed is `unknown` (it still parses: CasPay adds types over time).
 */
final class CasPay_Event_Kinds {

	/** Type as sent => canonical kind. */
	const KINDS = array(
		'payment.completed'              => 'payment.completed',
		'payment.failed'                 => 'payment.failed',
		'payment.pending'                => 'payment.pending',
		'payment.received'               => 'payment.received',
		'payment.confirmed'              => 'payment.confirmed',
		'subscription.created'           => 'subscription.created',
		'subscription.updated'           => 'subscription.updated',
		'subscription.canceled'          => 'subscription.canceled',
		'subscription.cancelled'         => 'subscription.canceled',
		'subscription.payment_succeeded' => 'subscription.payment_succeeded',
		'subscription.payment_failed'    => 'subscription.payment_failed',
		'subscription.renewed'           => 'subscription.renewed',
		'subscription.expired'           => 'subscription.expired',
		'invoice.created'                => 'invoice.created',
		'invoice.paid'                   => 'invoice.paid',
		'payout.initiated'               => 'payout.initiated',
		'payout.completed'               => 'payout.completed',
		'payout.failed'                  => 'payout.failed',
		'contract.deployed'              => 'contract.deployed',
		'contract.error'                 => 'contract.error',
		'test.webhook'                   => 'test.webhook',
	);

	/** Prefix of a canonical kind => category. */
	const CATEGORIES = array(
		'payment'      => 'payment',
		'subscription' => 'subscription',
		'invoice'      => 'invoice',
		'payout'       => 'payout',
		'contract'     => 'contract',
		'test'         => 'test',
	);

	/**
	 * The canonical kind of a type, or `unknown`.
	 *
	 * @param string $type The type as sent.
	 * @return string
	 */
	public static function kind( $type ) {
		return isset( self::KINDS[ $type ] ) ? self::KINDS[ $type ] : 'unknown';
	}

	/**
	 * The category of a canonical kind.
	 *
	 * @param string $kind A value of self::kind().
	 * @return string
	 */
	public static function category( $kind ) {
		$prefix = strstr( $kind, '.', true );
		return ( false !== $prefix && isset( self::CATEGORIES[ $prefix ] ) ) ? self::CATEGORIES[ $prefix ] : 'unknown';
	}
}
