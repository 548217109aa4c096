<?php
/**
 * The plugin's translatable messages say what the library says.
 *
 * @package CasPay_Webhooks
 */

use PHPUnit\Framework\TestCase;

if ( ! function_exists( '__' ) ) {
	/**
	 * WordPress's __() (the library runs without WordPress here): English, or while a test
	 * sets `$GLOBALS['caspay_test_translation']`, the plugin's text domain marked with it,
	 * so a test sees which texts went through a translation.
	 *
	 * @param string $text   Text.
	 * @param string $domain Domain.
	 * @return string
	 */
	function __( $text, $domain = 'default' ) { // phpcs:ignore WordPress.NamingConventions.ValidFunctionName.FunctionNameInvalid
		$mark = $GLOBALS['caspay_test_translation'] ?? null;
		return null !== $mark && 'caspay-webhooks' === $domain ? $mark . $text : $text;
	}
}
if ( ! function_exists( '_x' ) ) {
	/**
	 * WordPress's _x(), as __() above.
	 *
	 * @param string $text    Text.
	 * @param string $context Context.
	 * @param string $domain  Domain.
	 * @return string
	 */
	function _x( $text, $context, $domain = 'default' ) { // phpcs:ignore WordPress.NamingConventions.ValidFunctionName.FunctionNameInvalid
		unset( $context );
		return __( $text, $domain );
	}
}

/**
 * CasPay_Messages holds the same English sentences as the library, so translating them
 * never changes what an English site says.
 */
final class MessagesTest extends TestCase {

	/**
	 * Every code's advice is the exception's advice, word for word.
	 */
	public function test_advice_matches_the_exception() {
		$this->assertSame( CasPay_Webhook_Exception::ADVICE, CasPay_Messages::advice() );
	}

	/**
	 * Every handler answer is the handler's message, word for word.
	 */
	public function test_handler_messages_match_the_handler() {
		$this->assertSame( CasPay_Webhook_Handler::MESSAGES, CasPay_Messages::handler_messages() );
	}

	/**
	 * An engine error keeps its technical detail after the translated advice.
	 */
	public function test_answer_keeps_the_detail() {
		$e = CasPay_Webhook_Exception::create( 'invalid_event', 'must be a string', 'data.payment.id' );
		$this->assertSame( $e->getMessage(), CasPay_Messages::answer( 'invalid_event', $e->getMessage() ) );
		$this->assertSame( CasPay_Webhook_Handler::MESSAGES['processing_in_progress'], CasPay_Messages::answer( 'processing_in_progress', CasPay_Webhook_Handler::MESSAGES['processing_in_progress'] ) );
		$this->assertSame( 'something else', CasPay_Messages::answer( 'processing_in_progress', 'something else' ) );
	}

	/**
	 * On a translated site an answer is the translation of its advice or message, with an
	 * engine error's detail kept as written; a message the plugin does not know stays.
	 */
	public function test_answer_is_translated() {
		$GLOBALS['caspay_test_translation'] = '[fr] ';
		try {
			$e = CasPay_Webhook_Exception::create( 'invalid_event', 'must be a string', 'data.payment.id' );
			$detail = substr( $e->getMessage(), strlen( CasPay_Webhook_Exception::ADVICE['invalid_event'] ) );
			$this->assertNotSame( '', $detail );
			$this->assertSame( '[fr] ' . CasPay_Webhook_Exception::ADVICE['invalid_event'] . $detail, CasPay_Messages::answer( 'invalid_event', $e->getMessage() ) );
			$this->assertSame( '[fr] ' . CasPay_Webhook_Handler::MESSAGES['store_unavailable'], CasPay_Messages::answer( 'store_unavailable', CasPay_Webhook_Handler::MESSAGES['store_unavailable'] ) );
			$this->assertSame( 'something else', CasPay_Messages::answer( 'store_unavailable', 'something else' ) );
			foreach ( array_merge( CasPay_Messages::advice(), CasPay_Messages::handler_messages() ) as $code => $message ) {
				$this->assertStringStartsWith( '[fr] ', $message, $code );
			}
			$this->assertSame( '[fr] Processed', CasPay_Messages::outcome( 'processed' ) );
			$this->assertSame( '[fr] Dead', CasPay_Messages::state( 'dead' ) );
		} finally {
			unset( $GLOBALS['caspay_test_translation'] );
		}
	}

	/**
	 * Every outcome the handler and the inbox log has a label.
	 */
	public function test_every_outcome_has_a_label() {
		foreach ( array( 'processed', 'failed', 'dead', 'duplicate', 'dead_copy', 'in_progress', 'retry_scheduled', 'rejected', 'unrecorded' ) as $outcome ) {
			$this->assertNotSame( $outcome, CasPay_Messages::outcome( $outcome ), $outcome );
		}
	}
}
