<?php
/**
 * The webhook endpoint: POST /wp-json/caspay/v1/webhook.
 *
 * @package CasPay_Webhooks
 */

defined( 'ABSPATH' ) || exit;

/**
 * Adapts WordPress's REST request and response to CasPay_Webhook_Handler.
 */
final class CasPay_Rest_Controller {

	const NAMESPACE_V1 = 'caspay/v1';
	const ROUTE        = '/webhook';

	/**
	 * Hooks the route.
	 */
	public static function register() {
		add_action( 'rest_api_init', array( __CLASS__, 'register_routes' ) );
		add_filter( 'rest_pre_dispatch', array( __CLASS__, 'keep_body_raw' ), 10, 3 );
	}

	/**
	 * Registers the route.
	 */
	public static function register_routes() {
		register_rest_route(
			self::NAMESPACE_V1,
			self::ROUTE,
			array(
				'methods'             => 'POST',
				'callback'            => array( __CLASS__, 'receive' ),
				// Public on purpose: CasPay's servers cannot log in. Every request is
				// authenticated inside the handler by its HMAC-SHA256 signature over the raw
				// body, before anything in it is parsed, stored or acted upon.
				'permission_callback' => '__return_true',
			)
		);
	}

	/**
	 * Stops WordPress from decoding the JSON body itself.
	 *
	 * For a JSON content type, WordPress json_decode()s the body before calling the route
	 * and answers 400 `rest_invalid_json` on a syntax error, ahead of the signature check
	 * and unlogged. This route works on the raw bytes only (they are what was signed), so
	 * its request object is told the body is opaque; php://input is untouched.
	 *
	 * @param mixed           $result  Null unless another filter answered already.
	 * @param WP_REST_Server  $server  The server.
	 * @param WP_REST_Request $request The request.
	 * @return mixed
	 */
	public static function keep_body_raw( $result, $server, $request ) {
		if ( null === $result && $request instanceof WP_REST_Request
			&& 0 === strcasecmp( untrailingslashit( $request->get_route() ), '/' . self::NAMESPACE_V1 . self::ROUTE ) ) {
			$request->set_header( 'content-type', 'application/octet-stream' );
		}
		return $result;
	}

	/**
	 * Handles a delivery.
	 *
	 * @param WP_REST_Request $request The request.
	 * @return WP_REST_Response
	 */
	public static function receive( WP_REST_Request $request ) {
		$answer   = CasPay_Plugin::handler()->handle(
			$request->get_body(),
			$request->get_header( 'X-CasPay-Signature' ),
			(string) $request->get_header( 'X-CasPay-Event' ),
			$request->get_header( 'Content-Encoding' )
		);
		$body     = $answer['body'];
		if ( isset( $body['error']['code'], $body['error']['message'] ) ) {
			$body['error']['message'] = CasPay_Messages::answer( $body['error']['code'], $body['error']['message'] );
		}
		$response = new WP_REST_Response( $body, $answer['status'] );
		$response->header( 'Cache-Control', 'no-store' );
		foreach ( $answer['headers'] as $name => $value ) {
			// Retry-After on 409: when the run holding the event will have finished or expired.
			$response->header( $name, $value );
		}
		return $response;
	}
}
