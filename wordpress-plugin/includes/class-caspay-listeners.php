<?php
/**
 * The callbacks hooked to an event's actions, one by one.
 *
 * @package CasPay_Webhooks
 */

defined( 'ABSPATH' ) || exit;

/**
 * Lists every callback of `caspay_webhook_event`, `caspay_webhook_{type}` and (for a type
 * CasPay spells two ways) `caspay_webhook_{kind}`, in the order do_action() would run
 * them, each under an id that stays the same from one request to the next, so the inbox
 * can record which listeners finished and run only the others on a retry.
 *
 * WordPress's own callback ids (_wp_filter_build_unique_id()) use spl_object_hash() for
 * objects and closures, which changes with every request; these ids use the hook, the
 * priority and what the callback is: `function`, `Class::method`, `Class->method`, or, for
 * a closure, the file and lines it is written on. Two callbacks that would get the same id
 * (two instances of one class) are numbered in the order they were added.
 */
final class CasPay_Listeners {

	/** The action every event fires first. */
	const EVENT_ACTION = 'caspay_webhook_event';

	/**
	 * The actions an event fires, in order.
	 *
	 * @param array $event The normalized event.
	 * @return string[]
	 */
	public static function actions( array $event ) {
		$actions = array( self::EVENT_ACTION );
		$suffixes = array( CasPay_Plugin::action_suffix( isset( $event['type'] ) ? $event['type'] : '' ) );
		if ( isset( $event['kind'] ) && 'unknown' !== $event['kind'] ) {
			// `subscription.cancelled` also fires the canonical `..._subscription_canceled`.
			$suffixes[] = CasPay_Plugin::action_suffix( $event['kind'] );
		}
		foreach ( array_unique( array_filter( $suffixes ) ) as $suffix ) {
			$actions[] = 'caspay_webhook_' . $suffix;
		}
		return $actions;
	}

	/**
	 * The listeners of an event: stable id => callable( $event, $attempt, $key ). Counts each
	 * action as fired (did_action()) and calls the `all` hook, as do_action() does.
	 *
	 * @param array  $event   The normalized event.
	 * @param int    $attempt The attempt about to run.
	 * @param string $key     The idempotency key.
	 * @return array<string, callable>
	 */
	public static function for_event( array $event, $attempt, $key ) {
		global $wp_filter, $wp_actions;
		$listeners = array();
		foreach ( self::actions( $event ) as $action ) {
			$wp_actions[ $action ] = isset( $wp_actions[ $action ] ) ? $wp_actions[ $action ] + 1 : 1; // phpcs:ignore WordPress.WP.GlobalVariablesOverride.Prohibited
			if ( isset( $wp_filter['all'] ) ) {
				_wp_call_all_hook( array( $action, $event, $attempt, $key ) );
			}
			if ( empty( $wp_filter[ $action ] ) || ! $wp_filter[ $action ] instanceof WP_Hook ) {
				continue;
			}
			$callbacks = $wp_filter[ $action ]->callbacks;
			ksort( $callbacks );
			$seen = array();
			foreach ( $callbacks as $priority => $group ) {
				foreach ( $group as $callback ) {
					$base               = $action . '|' . $priority . '|' . self::name( $callback['function'] );
					$seen[ $base ]      = isset( $seen[ $base ] ) ? $seen[ $base ] + 1 : 1;
					$id                 = 1 === $seen[ $base ] ? $base : $base . '#' . $seen[ $base ];
					$listeners[ $id ]   = self::runner( $action, $callback['function'], (int) $callback['accepted_args'] );
				}
			}
		}
		return $listeners;
	}

	/**
	 * Runs one callback as do_action() would: current_filter() names its action, and it
	 * gets as many of ( $event, $attempt, $key ) as it accepts.
	 *
	 * @param string   $action        The action.
	 * @param callable $callback      The callback.
	 * @param int      $accepted_args Its accepted_args.
	 * @return Closure
	 */
	private static function runner( $action, $callback, $accepted_args ) {
		return static function ( array $event, $attempt, $key ) use ( $action, $callback, $accepted_args ) {
			global $wp_current_filter;
			$wp_current_filter[] = $action; // phpcs:ignore WordPress.WP.GlobalVariablesOverride.Prohibited
			try {
				call_user_func_array( $callback, array_slice( array( $event, $attempt, $key ), 0, max( 0, $accepted_args ) ) );
			} finally {
				array_pop( $wp_current_filter );
			}
		};
	}

	/**
	 * What a callback is, the same in every request.
	 *
	 * @param mixed $callback A callable.
	 * @return string
	 */
	public static function name( $callback ) {
		if ( is_string( $callback ) ) {
			return $callback;
		}
		if ( $callback instanceof Closure ) {
			try {
				$reflection = new ReflectionFunction( $callback );
				$file       = (string) $reflection->getFileName();
				if ( defined( 'ABSPATH' ) && 0 === strpos( $file, ABSPATH ) ) {
					$file = substr( $file, strlen( ABSPATH ) );
				}
				return 'closure@' . $file . ':' . $reflection->getStartLine() . '-' . $reflection->getEndLine();
			} catch ( ReflectionException $e ) {
				return 'closure';
			}
		}
		if ( is_object( $callback ) ) {
			return get_class( $callback ) . '->__invoke';
		}
		if ( is_array( $callback ) && isset( $callback[0], $callback[1] ) ) {
			return is_object( $callback[0] ) ? get_class( $callback[0] ) . '->' . $callback[1] : $callback[0] . '::' . $callback[1];
		}
		return 'callable';
	}
}
