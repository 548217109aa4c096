<?php
/**
 * The normalized event model, read from any of the three body shapes, in pure PHP.
 *
 * @package CasPay_Webhooks
 */

defined( 'ABSPATH' ) || defined( 'CASPAY_WEBHOOKS_LIBRARY' ) || exit;

/**
 * A line-by-line port of the core's `parse_event_with` (src/event/mod.rs): the same
 * checks in the same order, so the first error reported is the same in both engines.
 *
 * - Shape A (documented): `{"id","type","created","data":{"payment":{...}}}`
 * - Shape B (the server's event type): `{"id","type","created","data":{"object":{...}}}`
 * - Shape C (what the server posts today): `{"event","data":{...flat...},"timestamp","merchant_id"}`
 */
final class CasPay_Event_Parser {

	/**
	 * Parses a raw body.
	 *
	 * @param string   $body              Raw body bytes.
	 * @param int      $max_payload_bytes Size limit.
	 * @param int      $max_depth         Nesting limit.
	 * @param int|null $tolerance         Freshness tolerance in seconds, null for none.
	 * @param int      $now               Unix seconds.
	 * @return array The normalized event.
	 * @throws CasPay_Webhook_Exception For any rejected body.
	 */
	public static function parse( $body, $max_payload_bytes, $max_depth, $tolerance, $now ) {
		if ( strlen( $body ) > $max_payload_bytes ) {
			throw CasPay_Webhook_Exception::create( 'payload_too_large', 'the limit in bytes is', null, $max_payload_bytes );
		}
		$root = CasPay_Json::decode( $body, $max_depth );
		if ( ! CasPay_Json::is_object( $root ) ) {
			throw CasPay_Webhook_Exception::create( 'invalid_event', 'the body must be a JSON object' );
		}
		$top = new CasPay_Event_Fields( $root, '' );

		// Shapes A and B name the type `type`; shape C names it `event`.
		$type_is_event = null === $top->raw( 'type' ) && null !== $top->raw( 'event' );
		$type_field    = $type_is_event ? 'event' : 'type';
		$type          = (string) $top->string( array( $type_field ) );
		if ( '' === $type ) {
			throw $top->error( $type_field, 'is missing or empty (the event type goes in `type`, or `event` in the flat shape)' );
		}
		$data = $top->nested( 'data', 'data' );
		if ( null === $data ) {
			throw $top->error( 'data', 'is missing' );
		}
		$object = $data->nested( 'object', 'data.object' );
		if ( $type_is_event ) {
			$shape = 'c';
		} else {
			$shape = null !== $object ? 'b' : 'a';
		}

		$id = $top->string( array( 'id' ) );
		if ( '' === $id ) {
			throw $top->error( 'id', 'must not be empty' );
		}
		$created  = self::read_created( $top );
		$kind     = CasPay_Event_Kinds::kind( $type );
		$category = CasPay_Event_Kinds::category( $kind );

		$payment      = null;
		$subscription = null;
		if ( 'payment' === $category ) {
			$payment = self::payment( self::details( $shape, $data, $object, 'payment' ), $shape );
		} elseif ( 'subscription' === $category ) {
			$subscription = self::subscription( self::details( $shape, $data, $object, 'subscription' ), $shape );
		}

		$event = array(
			'id'             => $id,
			'type'           => $type,
			'kind'           => $kind,
			'category'       => $category,
			'shape'          => $shape,
			'created'        => $created,
			'merchantId'     => $top->string( array( 'merchant_id', 'merchantId' ) ),
			'livemode'       => $top->boolean( array( 'livemode' ) ),
			'idempotencyKey' => null !== $id ? $id : CasPay_Canonical_Json::content_key( $root ),
			'payment'        => $payment,
			'subscription'   => $subscription,
			'data'           => CasPay_Json::to_php( $top->raw( 'data' ) ),
		);
		if ( null !== $tolerance ) {
			self::check_freshness( $created, $tolerance, $now );
		}
		return $event;
	}

	/**
	 * Where the typed details live: shape A nests them by category, B under `data.object`,
	 * C flattens them into `data`.
	 *
	 * @param string                   $shape  a, b or c.
	 * @param CasPay_Event_Fields      $data   The `data` object.
	 * @param CasPay_Event_Fields|null $object The `data.object` object, if any.
	 * @param string                   $name   `payment` or `subscription`.
	 * @return CasPay_Event_Fields
	 * @throws CasPay_Webhook_Exception When shape A lacks the nested object.
	 */
	private static function details( $shape, CasPay_Event_Fields $data, $object, $name ) {
		if ( 'b' === $shape ) {
			return $object;
		}
		if ( 'c' === $shape ) {
			return $data;
		}
		$nested = $data->nested( $name, 'data.' . $name );
		if ( null === $nested ) {
			throw $data->error( $name, 'is missing' );
		}
		return $nested;
	}

	/**
	 * `created` (unix seconds) in shapes A and B, the ISO `timestamp` in shape C.
	 *
	 * @param CasPay_Event_Fields $top The root object.
	 * @return int|null
	 * @throws CasPay_Webhook_Exception When present but invalid.
	 */
	private static function read_created( CasPay_Event_Fields $top ) {
		$created = $top->raw( 'created' );
		if ( null !== $created ) {
			// Only a plain run of digits is a whole number of seconds: the core reads the exact
			// number text as u64, so 1.0, 1e9 and -0 are refused.
			$text = CasPay_Json::is_number( $created ) ? CasPay_Json::number_text( $created ) : '';
			if ( '' === $text || strlen( $text ) > 12 || strspn( $text, CasPay_Decimal::DIGITS ) !== strlen( $text ) || (int) $text > CasPay_Timestamp::MAX_UNIX_SECONDS ) {
				throw $top->error( 'created', 'must be a whole number of unix seconds' );
			}
			return (int) $text;
		}
		$iso = $top->string( array( 'timestamp' ) );
		if ( null === $iso ) {
			return null;
		}
		$seconds = CasPay_Timestamp::parse_iso8601( $iso );
		if ( null === $seconds ) {
			throw $top->error( 'timestamp', 'must be an ISO-8601 time such as 2026-11-27T10:00:00.000Z' );
		}
		return $seconds;
	}

	/**
	 * Payment details. Shapes A and B name the payment `id`; shape C flattens it into
	 * `payment_id`. The amount's grammar is checked before the currency, its unit rules
	 * after, as in the core.
	 *
	 * @param CasPay_Event_Fields $fields Where the details live.
	 * @param string              $shape  a, b or c.
	 * @return array
	 */
	private static function payment( CasPay_Event_Fields $fields, $shape ) {
		$id       = $fields->required_string( array( 'id', 'payment_id', 'paymentId' ) );
		$amount   = $fields->required_amount_text( array( 'amount' ) );
		$currency = $fields->required_string( array( 'currency' ) );
		return array(
			'id'              => $id,
			'amount'          => $fields->amount_in( $amount, CasPay_Amount::unit( $currency, $shape ) ),
			'currency'        => $currency,
			'status'          => $fields->string( array( 'status' ) ),
			'metadata'        => $fields->object_value( array( 'metadata' ) ),
			'transactionHash' => $fields->string( array( 'transaction_hash', 'transactionHash' ) ),
			'payer'           => $fields->string( array( 'payer' ) ),
			'productId'       => $fields->string( array( 'product_id', 'productId' ) ),
		);
	}

	/**
	 * Subscription details. Shapes A and B name the subscription `id`; shape C uses
	 * `subscription_id`.
	 *
	 * @param CasPay_Event_Fields $fields Where the details live.
	 * @param string              $shape  a, b or c.
	 * @return array
	 */
	private static function subscription( CasPay_Event_Fields $fields, $shape ) {
		$id         = $fields->required_string( array( 'id', 'subscription_id', 'subscriptionId' ) );
		$plan_id    = $fields->string( array( 'plan_id', 'planId' ) );
		$subscriber = $fields->string( array( 'subscriber' ) );
		$status     = $fields->string( array( 'status' ) );
		$amount     = $fields->amount_text( array( 'amount' ) );
		$currency   = $fields->string( array( 'currency' ) );
		return array(
			'id'              => $id,
			'planId'          => $plan_id,
			'subscriber'      => $subscriber,
			'status'          => $status,
			'amount'          => null === $amount ? null : $fields->amount_in( $amount, CasPay_Amount::unit( $currency, $shape ) ),
			'currency'        => $currency,
			'paymentId'       => $fields->string( array( 'payment_id', 'paymentId' ) ),
			'transactionHash' => $fields->string( array( 'transaction_hash', 'transactionHash' ) ),
			'metadata'        => $fields->object_value( array( 'metadata' ) ),
		);
	}

	/**
	 * The freshness requirement on the signed timestamp inside the body.
	 *
	 * @param int|null $created   The event's time.
	 * @param int      $tolerance Seconds.
	 * @param int      $now       Unix seconds.
	 * @throws CasPay_Webhook_Exception With code timestamp_outside_tolerance.
	 */
	private static function check_freshness( $created, $tolerance, $now ) {
		if ( null === $created ) {
			throw CasPay_Webhook_Exception::create( 'timestamp_outside_tolerance', 'the event carries no signed timestamp to check' );
		}
		$distance = $created > $now ? $created - $now : $now - $created;
		if ( $distance > $tolerance ) {
			throw CasPay_Webhook_Exception::create( 'timestamp_outside_tolerance', 'its distance from now exceeds the tolerance in seconds of', null, $tolerance );
		}
	}
}
