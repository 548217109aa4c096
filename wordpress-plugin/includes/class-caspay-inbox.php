<?php
/**
 * The inbox: every verified CasPay event processed until it succeeds, once.
 *
 * @package CasPay_Webhooks
 */

defined( 'ABSPATH' ) || defined( 'CASPAY_WEBHOOKS_LIBRARY' ) || exit;

/**
 * The state machine of docs/inbox.md, "in the request only" (WordPress has no worker of
 * its own; the WP-Cron sweep helps, nothing depends on it): a delivery is recorded and
 * claimed in one write, its listeners run, and the answer tells CasPay whether to retry.
 *
 * Each listener's success is recorded as soon as it returns, so a later attempt runs only
 * the listeners that did not finish. A run killed mid-way (SIGKILL, a fatal error, a lost
 * connection to the database) leaves its lease, which expires before CasPay's first retry
 * (60 s) and is then taken over; when PHP still runs shutdown code after a fatal error,
 * the run is recorded as failed at once (see abort_running()).
 *
 * Listeners run at least once; the inbox records completion once. Each listener gets the
 * event, the attempt number and the idempotency key, to make its side effects idempotent.
 */
final class CasPay_Inbox {

	/**
	 * Attempts before an event is dead (docs/inbox.md): with the default backoff the last is
	 * about a day after the first, past CasPay's own retries (12.5 hours), so a failing
	 * dependency has a day to come back before anyone must step in.
	 */
	const DEFAULT_MAX_ATTEMPTS = 32;

	/** Backoff: this many seconds × 2^(attempts − 1) ... */
	const BACKOFF_BASE = 10;

	/** ... at most one hour. */
	const BACKOFF_CAP = 3600;

	/**
	 * Seconds a run holds its event: as long as it can be while still ending before CasPay's
	 * first retry (60 s), so that retry can take over a run that died. Not derived from
	 * max_execution_time: on Linux PHP counts CPU time against it, so a listener waiting on
	 * a remote service runs far past it, and a shorter lease would let a second run start
	 * beside the first.
	 */
	const DEFAULT_LEASE_SECONDS = 55;

	/** Longest last_error kept, in bytes. */
	const MAX_ERROR_BYTES = 4000;

	/**
	 * Rows and log.
	 *
	 * @var CasPay_Inbox_Store
	 */
	private $store;

	/**
	 * Returns the listeners of an event: callable( array $event, int $attempt, string $key ):
	 * array<string, callable> (stable id => callable( array $event, int $attempt, string $key )).
	 *
	 * @var callable
	 */
	private $listeners;

	/**
	 * Seconds a run holds its lease.
	 *
	 * @var int
	 */
	private $lease_seconds;

	/**
	 * Attempts before dead.
	 *
	 * @var int
	 */
	private $max_attempts;

	/**
	 * Seconds to wait after a failed attempt: callable( int $attempts ): int.
	 *
	 * @var callable
	 */
	private $backoff;

	/**
	 * Unix seconds: callable(): int.
	 *
	 * @var callable
	 */
	private $clock;

	/**
	 * The run in progress in this process (at most one), for abort_running().
	 *
	 * @var array|null
	 */
	private static $running;

	/**
	 * Whether the shutdown check is registered.
	 *
	 * @var bool
	 */
	private static $shutdown_registered = false;

	/**
	 * Builds the inbox.
	 *
	 * @param CasPay_Inbox_Store $store     Rows and log.
	 * @param callable           $listeners See $listeners.
	 * @param array              $options   lease_seconds (default DEFAULT_LEASE_SECONDS),
	 *                                      max_attempts (32), backoff (callable, default backoff()),
	 *                                      clock (callable, default time()).
	 */
	public function __construct( CasPay_Inbox_Store $store, callable $listeners, array $options = array() ) {
		$this->store         = $store;
		$this->listeners     = $listeners;
		$this->lease_seconds = isset( $options['lease_seconds'] ) ? max( 1, (int) $options['lease_seconds'] ) : self::DEFAULT_LEASE_SECONDS;
		$this->max_attempts  = isset( $options['max_attempts'] ) ? max( 1, (int) $options['max_attempts'] ) : self::DEFAULT_MAX_ATTEMPTS;
		$this->backoff       = isset( $options['backoff'] ) && is_callable( $options['backoff'] ) ? $options['backoff'] : array( __CLASS__, 'backoff' );
		$this->clock         = isset( $options['clock'] ) && is_callable( $options['clock'] ) ? $options['clock'] : 'time';
	}

	/**
	 * Seconds before the next attempt after $attempts failed ones: 10 s × 2^(attempts − 1),
	 * at most one hour.
	 *
	 * @param int $attempts Attempts so far (≥ 1).
	 * @return int
	 */
	public static function backoff( $attempts ) {
		$attempts = max( 1, (int) $attempts );
		return $attempts > 12 ? self::BACKOFF_CAP : min( self::BACKOFF_CAP, self::BACKOFF_BASE * ( 2 ** ( $attempts - 1 ) ) );
	}

	/**
	 * The lease length in use.
	 *
	 * @return int
	 */
	public function lease_seconds() {
		return $this->lease_seconds;
	}

	/**
	 * Records a verified delivery and, when the event is claimable, runs it.
	 *
	 * @param array    $event        The normalized event.
	 * @param string   $engine       Engine name.
	 * @param int|null $secret_index Which secret verified it.
	 * @return array{outcome: string, attempt: int|null, retry_after: int|null, error: string|null}
	 *         outcome: processed, failed, dead (ran and failed for the last time), duplicate
	 *         (done before), dead_copy (a copy of a dead event), in_progress (another run
	 *         holds the lease), retry_scheduled (failed, next attempt not due yet).
	 * @throws RuntimeException When the store cannot be written (nothing was recorded).
	 */
	public function deliver( array $event, $engine, $secret_index ) {
		$key = (string) $event['idempotencyKey'];
		$now = $this->now();
		if ( $this->store->record( $event, $engine, $secret_index, $now, $now + $this->lease_seconds ) ) {
			return $this->run( $key, $event, 1, 0, array(), 'http' );
		}
		// A known key: answer from its state, or take it over when it is claimable. Losing a
		// claim means another request just took it; read the state again.
		for ( $round = 0; $round < 3; $round++ ) {
			$row = $this->store->find( $key );
			if ( null === $row ) {
				throw new RuntimeException( 'The CasPay inbox lost the row of ' . $key . '.' );
			}
			$now      = $this->now();
			$answered = $this->answer_from_state( $row, $now );
			if ( null !== $answered ) {
				return $answered;
			}
			if ( $this->store->claim( $key, $row['attempts'], $now, $now + $this->lease_seconds ) ) {
				return $this->run( $key, null !== $row['event'] ? $row['event'] : $event, $row['attempts'] + 1, $row['attempts_base'], $row['listeners'], 'http' );
			}
		}
		return self::outcome( 'in_progress', null, 1 );
	}

	/**
	 * Processes what no delivery may come back for: events whose lease expired, failed
	 * events whose next attempt is due, and received events (the WP-Cron sweep).
	 *
	 * @param int $limit  At most this many events.
	 * @param int $budget Stop starting new runs after this many seconds.
	 * @return array<string, array> Outcome per idempotency key.
	 */
	public function sweep( $limit = 20, $budget = 20 ) {
		$started  = $this->now();
		$outcomes = array();
		foreach ( $this->store->due( $started, $limit ) as $key ) {
			if ( $this->now() - $started >= $budget ) {
				break;
			}
			$outcomes[ $key ] = $this->take_over( $key, 'cron' );
		}
		return $outcomes;
	}

	/**
	 * An operator's "process again": a failed or dead event goes back to received and runs
	 * now.
	 *
	 * @param string $key Idempotency key.
	 * @return array|null The outcome, or null when the event is not failed or dead.
	 */
	public function process_again( $key ) {
		if ( ! $this->store->retry( $key, $this->now() ) ) {
			return null;
		}
		return $this->take_over( $key, 'admin' );
	}

	/**
	 * Claims a stored event and runs it from its stored copy.
	 *
	 * @param string $key Idempotency key.
	 * @param string $via cron or admin.
	 * @return array The outcome.
	 */
	private function take_over( $key, $via ) {
		$row = $this->store->find( $key );
		if ( null === $row ) {
			return self::outcome( 'missing', null, null );
		}
		$now      = $this->now();
		$answered = $this->answer_from_state( $row, $now );
		if ( null !== $answered ) {
			return $answered;
		}
		if ( ! $this->store->claim( $key, $row['attempts'], $now, $now + $this->lease_seconds ) ) {
			return self::outcome( 'in_progress', null, 1 );
		}
		if ( null === $row['event'] ) {
			$attempt = $row['attempts'] + 1;
			$error   = 'The event was not kept, so it cannot be processed again.';
			$this->store->fail( $key, $attempt, $error, 'dead', 0, $now );
			$this->log_run( $via, 'dead', $row, $attempt, $error );
			return self::outcome( 'dead', $attempt, null, $error );
		}
		return $this->run( $key, $row['event'], $row['attempts'] + 1, $row['attempts_base'], $row['listeners'], $via );
	}

	/**
	 * The answer for a row that cannot be claimed now, or null when it can.
	 *
	 * @param array $row A row.
	 * @param int   $now Unix seconds.
	 * @return array|null
	 */
	private function answer_from_state( array $row, $now ) {
		switch ( $row['state'] ) {
			case 'done':
				return self::outcome( 'duplicate', null, null );
			case 'dead':
				return self::outcome( 'dead_copy', null, null, $row['last_error'] );
			case 'processing':
				return $row['lease_until'] > $now ? self::outcome( 'in_progress', null, $row['lease_until'] - $now ) : null;
			case 'failed':
				return $row['next_attempt_at'] > $now ? self::outcome( 'retry_scheduled', null, $row['next_attempt_at'] - $now, $row['last_error'] ) : null;
			default:
				return null;
		}
	}

	/**
	 * Runs the listeners that have not finished yet, as attempt $attempt, and records the
	 * outcome under that attempt's lease.
	 *
	 * @param string $key      Idempotency key.
	 * @param array  $event    The event.
	 * @param int    $attempt  This attempt's number (the fencing token).
	 * @param int    $base     attempts_base: attempts before the last operator re-run.
	 * @param array  $finished Listener id => attempt, from earlier attempts.
	 * @param string $via      http, cron or admin.
	 * @return array The outcome.
	 */
	private function run( $key, array $event, $attempt, $base, array $finished, $via ) {
		self::register_shutdown();
		self::$running = array(
			'inbox'    => $this,
			'key'      => $key,
			'event'    => $event,
			'attempt'  => $attempt,
			'base'     => $base,
			'via'      => $via,
			'listener' => null,
		);
		$errors = array();
		try {
			foreach ( ( $this->listeners )( $event, $attempt, $key ) as $id => $listener ) {
				$id = (string) $id;
				if ( isset( $finished[ $id ] ) ) {
					continue;
				}
				self::$running['listener'] = $id;
				try {
					call_user_func( $listener, $event, $attempt, $key );
				} catch ( Throwable $e ) {
					// Listeners are independent: one that throws does not keep the others from
					// finishing (and from being recorded as finished).
					$errors[] = $id . ': ' . self::describe( $e );
					continue;
				}
				if ( ! $this->store->listener_done( $key, $attempt, $id, $this->now() ) ) {
					self::$running = null;
					return self::outcome( 'in_progress', $attempt, 1, 'Another run took this event over while attempt ' . $attempt . ' was running.' );
				}
			}
		} catch ( Throwable $e ) {
			// The listener list itself failed (a broken filter); nothing ran after that point.
			$errors[] = self::describe( $e );
		}
		self::$running = null;
		$row = array(
			'key'   => $key,
			'event' => $event,
		);
		if ( ! $errors ) {
			if ( ! $this->store->complete( $key, $attempt, $this->now() ) ) {
				return self::outcome( 'in_progress', $attempt, 1, 'Another run took this event over while attempt ' . $attempt . ' was running.' );
			}
			$this->log_run( $via, 'processed', $row, $attempt, null );
			return self::outcome( 'processed', $attempt, null );
		}
		$error = self::clip( implode( "\n", $errors ) );
		$state = $this->fail( $key, $attempt, $base, $error );
		if ( null === $state ) {
			return self::outcome( 'in_progress', $attempt, 1, $error );
		}
		$this->log_run( $via, $state, $row, $attempt, $error );
		return self::outcome( $state, $attempt, null, $error );
	}

	/**
	 * Records a failed attempt: failed with a backoff, or dead after the last attempt.
	 *
	 * @param string $key     Idempotency key.
	 * @param int    $attempt The attempt.
	 * @param int    $base    attempts_base.
	 * @param string $error   What failed.
	 * @return string|null `failed` or `dead`; null when the attempt no longer held the lease.
	 */
	private function fail( $key, $attempt, $base, $error ) {
		$now   = $this->now();
		$tries = max( 1, $attempt - $base );
		$state = $tries >= $this->max_attempts ? 'dead' : 'failed';
		return $this->store->fail( $key, $attempt, $error, $state, $now + max( 0, (int) call_user_func( $this->backoff, $tries ) ), $now ) ? $state : null;
	}

	/**
	 * Logs a run that was not answered to a delivery (sweep, operator); deliveries are
	 * logged by the handler, with the HTTP status they got.
	 *
	 * @param string      $via     http, cron or admin.
	 * @param string      $status  processed, failed or dead.
	 * @param array       $row     `key` and `event`.
	 * @param int         $attempt The attempt.
	 * @param string|null $error   What failed.
	 * @param bool        $aborted Whether the run was aborted (then a delivery is logged here:
	 *                             the handler never got to answer it).
	 */
	private function log_run( $via, $status, array $row, $attempt, $error, $aborted = false ) {
		if ( 'http' === $via && ! $aborted ) {
			return;
		}
		$this->store->log(
			array(
				'via'          => $via,
				'status'       => $status,
				'http_status'  => 'http' === $via ? 500 : 0,
				'code'         => 'processed' === $status ? '' : 'processing_failed',
				'type'         => isset( $row['event']['type'] ) ? (string) $row['event']['type'] : '',
				'key'          => $row['key'],
				'engine'       => '',
				'secret_index' => null,
				'attempt'      => $attempt,
				'message'      => $error,
				'bucket'       => null,
				'now'          => $this->now(),
			)
		);
	}

	/**
	 * Ends the run in progress as failed, when one is: called on shutdown (a fatal error,
	 * exit() in a listener) and by hosts that learn of a fatal error first (WordPress's
	 * wp_die() during its fatal error handler, which exits before later shutdown functions).
	 *
	 * @param string $reason What happened.
	 * @return bool Whether a run was ended.
	 */
	public static function abort_running( $reason ) {
		if ( null === self::$running ) {
			return false;
		}
		$run           = self::$running;
		self::$running = null;
		// After "Allowed memory size exhausted" the limit is still nearly reached; recording
		// the failure needs a little room.
		@ini_set( 'memory_limit', (string) ( memory_get_usage() + 32 * 1024 * 1024 ) ); // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged, WordPress.PHP.IniSet.memory_limit_Disallowed
		$error = self::clip( ( null !== $run['listener'] ? $run['listener'] . ': ' : '' ) . $reason );
		try {
			$state = $run['inbox']->fail( $run['key'], $run['attempt'], $run['base'], $error );
			if ( null === $state ) {
				return false;
			}
			$run['inbox']->log_run(
				$run['via'],
				$state,
				array(
					'key'   => $run['key'],
					'event' => $run['event'],
				),
				$run['attempt'],
				$error,
				true
			);
		} catch ( Throwable $e ) {
			// The database is gone too: the lease expires and the next claim takes over.
			return false;
		}
		return true;
	}

	/**
	 * Whether a run is in progress in this process.
	 *
	 * @return bool
	 */
	public static function running() {
		return null !== self::$running;
	}

	/**
	 * Shutdown check: a run still in progress ended without its listeners returning.
	 */
	public static function on_shutdown() {
		if ( null === self::$running ) {
			return;
		}
		$fatal  = self::last_fatal_error();
		$reason = null !== $fatal ? $fatal : 'The run ended before its listeners returned (exit() or die() in a listener?).';
		if ( self::abort_running( $reason ) && ! headers_sent() ) {
			// CasPay must retry: whatever was about to be sent, this event did not succeed.
			http_response_code( 500 );
		}
	}

	/**
	 * The fatal error PHP is shutting down for, as the operator should read it, or null.
	 *
	 * @return string|null
	 */
	public static function last_fatal_error() {
		$last = error_get_last();
		if ( ! is_array( $last ) || ! in_array( $last['type'], array( E_ERROR, E_PARSE, E_CORE_ERROR, E_COMPILE_ERROR, E_USER_ERROR, E_RECOVERABLE_ERROR ), true ) ) {
			return null;
		}
		return 'PHP fatal error: ' . $last['message'] . ' (in ' . self::short_path( $last['file'] ) . ':' . $last['line'] . ')';
	}

	/**
	 * Registers on_shutdown() once per process.
	 */
	private static function register_shutdown() {
		if ( ! self::$shutdown_registered ) {
			register_shutdown_function( array( __CLASS__, 'on_shutdown' ) );
			self::$shutdown_registered = true;
		}
	}

	/**
	 * An exception as the operator should read it.
	 *
	 * @param Throwable $e The exception.
	 * @return string
	 */
	private static function describe( Throwable $e ) {
		return get_class( $e ) . ': ' . $e->getMessage() . ' (in ' . self::short_path( $e->getFile() ) . ':' . $e->getLine() . ')';
	}

	/**
	 * A path without the site's root, shorter to read.
	 *
	 * @param string $path File path.
	 * @return string
	 */
	private static function short_path( $path ) {
		$path = (string) $path;
		if ( defined( 'ABSPATH' ) && 0 === strpos( $path, ABSPATH ) ) {
			return substr( $path, strlen( ABSPATH ) );
		}
		return basename( $path );
	}

	/**
	 * Text cut to MAX_ERROR_BYTES, on a UTF-8 boundary.
	 *
	 * @param string $text Text.
	 * @return string
	 */
	private static function clip( $text ) {
		return strlen( $text ) <= self::MAX_ERROR_BYTES ? $text : self::cut( $text, self::MAX_ERROR_BYTES - 3 ) . '…';
	}

	/**
	 * At most $bytes bytes of UTF-8 text, never ending inside a character (mb_strcut()
	 * without needing mbstring).
	 *
	 * @param string $text  Text.
	 * @param int    $bytes Most bytes.
	 * @return string
	 */
	public static function cut( $text, $bytes ) {
		$text = (string) $text;
		if ( strlen( $text ) <= $bytes ) {
			return $text;
		}
		$cut = substr( $text, 0, max( 0, $bytes ) );
		// A lead byte whose sequence was cut short, with its continuation bytes, is dropped.
		if ( preg_match( '/[\xC0-\xFF][\x80-\xBF]*$/', $cut, $m ) ) {
			$lead = ord( $m[0][0] );
			$need = $lead >= 0xF0 ? 4 : ( $lead >= 0xE0 ? 3 : 2 );
			if ( strlen( $m[0] ) < $need ) {
				$cut = substr( $cut, 0, -strlen( $m[0] ) );
			}
		}
		return $cut;
	}

	/**
	 * Appends to the delivery log (see CasPay_Inbox_Store::log()); `now` defaults to the clock.
	 *
	 * @param array $entry The entry.
	 */
	public function log( array $entry ) {
		$entry += array( 'now' => $this->now() );
		$this->store->log( $entry );
	}

	/**
	 * The clock.
	 *
	 * @return int
	 */
	public function now() {
		return (int) call_user_func( $this->clock );
	}

	/**
	 * An outcome.
	 *
	 * @param string      $outcome     See deliver().
	 * @param int|null    $attempt     The attempt that ran, if one did.
	 * @param int|null    $retry_after Seconds, for in_progress and retry_scheduled.
	 * @param string|null $error       The failure, when there is one.
	 * @return array
	 */
	private static function outcome( $outcome, $attempt, $retry_after, $error = null ) {
		return array(
			'outcome'     => $outcome,
			'attempt'     => $attempt,
			'retry_after' => null === $retry_after ? null : max( 1, (int) $retry_after ),
			'error'       => $error,
		);
	}
}
