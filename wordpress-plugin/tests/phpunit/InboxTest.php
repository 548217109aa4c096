<?php
/**
 * The inbox state machine (docs/inbox.md) on the in-memory store, with a clock of its own.
 *
 * @package CasPay_Webhooks
 */

use PHPUnit\Framework\TestCase;

/**
 * Listener runs, failures, leases, dead events, the sweep and operator re-runs.
 */
final class InboxTest extends TestCase {

	/**
	 * Unix seconds of the test clock.
	 *
	 * @var int
	 */
	private $now = 1800000000;

	/**
	 * Calls of each listener: id => list of attempts.
	 *
	 * @var array<string, int[]>
	 */
	private $calls = array();

	/**
	 * The store under test.
	 *
	 * @var CasPay_Memory_Inbox_Store
	 */
	private $store;

	/**
	 * Fresh store and clock.
	 */
	protected function setUp(): void {
		$this->store = new CasPay_Memory_Inbox_Store();
		$this->calls = array();
	}

	/**
	 * An inbox whose listeners are $listeners (id => callable), each call recorded.
	 *
	 * @param array $listeners Listener id => callable( $event, $attempt, $key ).
	 * @param array $options   Inbox options.
	 * @return CasPay_Inbox
	 */
	private function inbox( array $listeners, array $options = array() ) {
		$calls    = &$this->calls;
		$now      = &$this->now;
		$provider = static function () use ( $listeners, &$calls ) {
			$wrapped = array();
			foreach ( $listeners as $id => $listener ) {
				$wrapped[ $id ] = static function ( $event, $attempt, $key ) use ( $id, $listener, &$calls ) {
					$calls[ $id ][] = $attempt;
					call_user_func( $listener, $event, $attempt, $key );
				};
			}
			return $wrapped;
		};
		return new CasPay_Inbox(
			$this->store,
			$provider,
			$options + array(
				'lease_seconds' => 40,
				'clock'         => static function () use ( &$now ) {
					return $now;
				},
			)
		);
	}

	/**
	 * An event.
	 *
	 * @param string $key Idempotency key.
	 * @return array
	 */
	private static function event( $key = 'evt_1' ) {
		return CasPay_Inbox_Store_Contract::event( $key );
	}

	/**
	 * A listener that does nothing.
	 *
	 * @return Closure
	 */
	private static function ok() {
		return static function () {
		};
	}

	/**
	 * The in-memory store follows the state machine (the table passes the same contract end to end).
	 */
	public function test_memory_store_passes_the_contract() {
		$this->assertSame( array(), CasPay_Inbox_Store_Contract::run( new CasPay_Memory_Inbox_Store(), 'contract_' ) );
	}

	/**
	 * A new event runs every listener with the event, attempt 1 and the key; a copy is a
	 * duplicate and runs nothing.
	 */
	public function test_new_event_runs_once_and_copies_are_duplicates() {
		$seen  = array();
		$inbox = $this->inbox(
			array(
				'a' => static function ( $event, $attempt, $key ) use ( &$seen ) {
					$seen[] = array( $event['payment']['id'], $attempt, $key );
				},
				'b' => self::ok(),
			)
		);
		$first = $inbox->deliver( self::event(), 'php', 0 );
		$this->assertSame( array( 'processed', 1 ), array( $first['outcome'], $first['attempt'] ) );
		$this->assertSame( array( array( 'pay_1', 1, 'evt_1' ) ), $seen );
		$this->assertSame( 'duplicate', $inbox->deliver( self::event(), 'php', 0 )['outcome'] );
		$this->assertSame(
			array(
				'a' => array( 1 ),
				'b' => array( 1 ),
			),
			$this->calls
		);
		$row = $this->store->find( 'evt_1' );
		$this->assertSame( array( 'done', 1, $this->now ), array( $row['state'], $row['attempts'], $row['done_at'] ) );
	}

	/**
	 * A listener that fails twice then succeeds: each failure is recorded with its message
	 * and a backoff; a copy before the next attempt is due is told when to come back; the
	 * listener that succeeded the first time never runs again.
	 */
	public function test_failing_listener_is_retried_alone_until_it_succeeds() {
		$inbox = $this->inbox(
			array(
				'flaky'  => function ( $event, $attempt ) {
					if ( $attempt < 3 ) {
						throw new RuntimeException( 'order service down (attempt ' . $attempt . ')' );
					}
				},
				'mailer' => self::ok(),
			)
		);
		$first = $inbox->deliver( self::event(), 'php', 0 );
		$this->assertSame( array( 'failed', 1 ), array( $first['outcome'], $first['attempt'] ) );
		$this->assertStringContainsString( 'flaky: RuntimeException: order service down (attempt 1)', $first['error'] );
		$row = $this->store->find( 'evt_1' );
		$this->assertSame( array( 'failed', 1, $this->now + 10 ), array( $row['state'], $row['attempts'], $row['next_attempt_at'] ) );
		$this->assertSame( array( 'mailer' => 1 ), $row['listeners'] );

		$this->now += 4;
		$early      = $inbox->deliver( self::event(), 'php', 0 );
		$this->assertSame( array( 'retry_scheduled', 6 ), array( $early['outcome'], $early['retry_after'] ) );

		$this->now += 6;
		$second     = $inbox->deliver( self::event(), 'php', 0 );
		$this->assertSame( array( 'failed', 2 ), array( $second['outcome'], $second['attempt'] ) );
		$this->assertSame( $this->now + 20, $this->store->find( 'evt_1' )['next_attempt_at'], 'backoff doubles' );

		$this->now += 60;
		$third      = $inbox->deliver( self::event(), 'php', 0 );
		$this->assertSame( array( 'processed', 3 ), array( $third['outcome'], $third['attempt'] ) );
		$this->assertSame(
			array(
				'flaky'  => array( 1, 2, 3 ),
				'mailer' => array( 1 ),
			),
			$this->calls
		);
		$row = $this->store->find( 'evt_1' );
		$this->assertSame( array( 'done', 3 ), array( $row['state'], $row['attempts'] ) );
		$this->assertSame( 'duplicate', $inbox->deliver( self::event(), 'php', 0 )['outcome'] );
	}

	/**
	 * A copy that arrives while a run holds the lease is told to come back when it ends.
	 */
	public function test_copy_during_a_run_is_in_progress() {
		$during = null;
		$inbox  = null;
		$inbox  = $this->inbox(
			array(
				'slow' => function () use ( &$during, &$inbox ) {
					$this->now += 15;
					$during     = $inbox->deliver( self::event(), 'php', 0 );
				},
			)
		);
		$this->assertSame( 'processed', $inbox->deliver( self::event(), 'php', 0 )['outcome'] );
		$this->assertSame( array( 'in_progress', 25 ), array( $during['outcome'], $during['retry_after'] ) );
		$this->assertSame( array( 'slow' => array( 1 ) ), $this->calls );
	}

	/**
	 * A run killed mid-way leaves its lease; once it expires the next delivery takes the
	 * event over and runs only the listeners the dead run did not finish.
	 */
	public function test_expired_lease_is_taken_over() {
		// The killed run: recorded, claimed, one listener finished, then nothing.
		$this->store->record( self::event(), 'php', 0, $this->now, $this->now + 40 );
		$this->store->listener_done( 'evt_1', 1, 'first', $this->now + 1 );
		$inbox = $this->inbox(
			array(
				'first'  => self::ok(),
				'second' => self::ok(),
			)
		);
		$this->now += 39;
		$this->assertSame( array( 'in_progress', 1 ), array_values( array_intersect_key( $inbox->deliver( self::event(), 'php', 0 ), array_flip( array( 'outcome', 'retry_after' ) ) ) ) );
		$this->now += 1;
		$this->assertSame( array( 'processed', 2 ), array_values( array_intersect_key( $inbox->deliver( self::event(), 'php', 0 ), array_flip( array( 'outcome', 'attempt' ) ) ) ) );
		$this->assertSame( array( 'second' => array( 2 ) ), $this->calls );
	}

	/**
	 * A run that outlives its lease is fenced: the run that took over decides the outcome.
	 */
	public function test_run_that_lost_its_lease_changes_nothing() {
		$takeover = null;
		$inbox    = null;
		$inbox    = $this->inbox(
			array(
				'stuck' => function ( $event, $attempt ) use ( &$takeover, &$inbox ) {
					if ( 1 === $attempt ) {
						$this->now += 41;
						$takeover   = $inbox->deliver( self::event(), 'php', 0 );
					}
				},
			)
		);
		$first = $inbox->deliver( self::event(), 'php', 0 );
		$this->assertSame( array( 'processed', 2 ), array( $takeover['outcome'], $takeover['attempt'] ) );
		$this->assertSame( 'in_progress', $first['outcome'], 'the old run is told it lost the lease' );
		$row = $this->store->find( 'evt_1' );
		$this->assertSame( array( 'done', 2, array( 'stuck' => 2 ) ), array( $row['state'], $row['attempts'], $row['listeners'] ) );
	}

	/**
	 * After max_attempts failures the event is dead: copies are answered from the state,
	 * nothing runs, until an operator re-runs it.
	 */
	public function test_dead_after_max_attempts_then_operator_retry() {
		$broken = true;
		$inbox  = $this->inbox(
			array(
				'fulfil' => static function () use ( &$broken ) {
					if ( $broken ) {
						throw new LogicException( 'bug in fulfilment' );
					}
				},
			),
			array( 'max_attempts' => 3 )
		);
		$outcomes = array();
		for ( $i = 0; $i < 3; $i++ ) {
			$outcomes[] = $inbox->deliver( self::event(), 'php', 0 )['outcome'];
			$this->now += 3600;
		}
		$this->assertSame( array( 'failed', 'failed', 'dead' ), $outcomes );
		$copy = $inbox->deliver( self::event(), 'php', 0 );
		$this->assertSame( 'dead_copy', $copy['outcome'] );
		$this->assertStringContainsString( 'LogicException: bug in fulfilment', $copy['error'] );
		$this->assertSame( array(), $inbox->sweep(), 'the sweep leaves dead events alone' );
		$this->assertCount( 3, $this->calls['fulfil'] );

		$broken = false;
		$again  = $inbox->process_again( 'evt_1' );
		$this->assertSame( array( 'processed', 4 ), array( $again['outcome'], $again['attempt'] ) );
		$this->assertNull( $inbox->process_again( 'evt_1' ), 'a done event is not re-run' );
		$this->assertSame( array( 'admin processed 0' ), array_keys( $this->store->log_summary() ) );
	}

	/**
	 * With the default attempts and backoff, the sweep keeps retrying a failing event for
	 * about a day: past CasPay's last retry (12.5 hours after its first delivery), so a
	 * dependency that is down for hours does not leave every event dead for an operator.
	 */
	public function test_defaults_retry_for_about_a_day_then_dead() {
		$inbox   = new CasPay_Inbox(
			$this->store,
			static function () {
				return array(
					'down' => static function () {
						throw new RuntimeException( 'the order service is down' );
					},
				);
			},
			array(
				'clock' => function () {
					return $this->now;
				},
			)
		);
		$start   = $this->now;
		$outcome = $inbox->deliver( self::event(), 'php', 0 )['outcome'];
		$runs    = 1;
		while ( 'dead' !== $outcome ) {
			$this->assertSame( 'failed', $outcome );
			$this->now += CasPay_Inbox::backoff( $runs );
			$outcome    = $inbox->sweep()['evt_1']['outcome'];
			++$runs;
		}
		$this->assertSame( CasPay_Inbox::DEFAULT_MAX_ATTEMPTS, $runs );
		$hours = ( $this->now - $start ) / 3600;
		$this->assertGreaterThan( 12.5, $hours, 'dead before CasPay stopped retrying' );
		$this->assertLessThan( 25, $hours );
	}

	/**
	 * After an operator re-run, the event gets max_attempts new attempts.
	 */
	public function test_operator_retry_restarts_the_attempt_budget() {
		$inbox = $this->inbox(
			array(
				'always' => static function () {
					throw new RuntimeException( 'no' );
				},
			),
			array( 'max_attempts' => 2 )
		);
		$inbox->deliver( self::event(), 'php', 0 );
		$this->now += 100;
		$this->assertSame( 'dead', $inbox->deliver( self::event(), 'php', 0 )['outcome'] );
		$this->assertSame( 'failed', $inbox->process_again( 'evt_1' )['outcome'] );
		$this->now += 100;
		$this->assertSame( 'dead', $inbox->sweep()['evt_1']['outcome'] );
	}

	/**
	 * The sweep runs what no delivery may come back for, from the stored event.
	 */
	public function test_sweep_processes_expired_leases_and_due_retries() {
		$inbox = $this->inbox( array( 'l' => self::ok() ) );
		// Crashed: leased until now + 40.
		$this->store->record( self::event( 'evt_crashed' ), 'php', 0, $this->now, $this->now + 40 );
		// Failed, due at now + 10.
		$this->store->record( self::event( 'evt_failed' ), 'php', 0, $this->now, $this->now + 40 );
		$this->store->fail( 'evt_failed', 1, 'x', 'failed', $this->now + 10, $this->now );
		// Failed, due much later.
		$this->store->record( self::event( 'evt_later' ), 'php', 0, $this->now, $this->now + 40 );
		$this->store->fail( 'evt_later', 1, 'x', 'failed', $this->now + 1000, $this->now );

		$this->now += 10;
		$this->assertSame( array( 'evt_failed' ), array_keys( $inbox->sweep() ) );
		$this->now += 30;
		$swept      = $inbox->sweep();
		$this->assertSame( array( 'evt_crashed' ), array_keys( $swept ) );
		$this->assertSame( array( 'processed', 2 ), array( $swept['evt_crashed']['outcome'], $swept['evt_crashed']['attempt'] ) );
		$this->assertSame( 'failed', $this->store->find( 'evt_later' )['state'] );
		$this->assertSame( array( 'cron processed 0' => 2 ), $this->store->log_summary() );
	}

	/**
	 * A host that learns of a fatal error mid-run (WordPress's wp_die() in its fatal error
	 * handler) ends the run as failed with the reason, at once.
	 */
	public function test_abort_records_the_fatal_error() {
		$inbox = $this->inbox(
			array(
				'done-first' => self::ok(),
				'fatal'      => static function () {
					CasPay_Inbox::abort_running( 'PHP fatal error: Allowed memory size exhausted' );
				},
			)
		);
		$this->assertFalse( CasPay_Inbox::running() );
		$outcome = $inbox->deliver( self::event(), 'php', 0 );
		$this->assertSame( 'in_progress', $outcome['outcome'], 'the aborted run no longer holds the lease' );
		$row = $this->store->find( 'evt_1' );
		$this->assertSame( array( 'failed', 'fatal: PHP fatal error: Allowed memory size exhausted', array( 'done-first' => 1 ) ), array( $row['state'], $row['last_error'], $row['listeners'] ) );
		$this->assertFalse( CasPay_Inbox::running() );
		$this->assertFalse( CasPay_Inbox::abort_running( 'nothing runs' ) );
		$this->assertSame( array( 'http failed 500 processing_failed' => 1 ), $this->store->log_summary() );
	}

	/**
	 * A listener list that cannot even be built fails the attempt (it is retried).
	 */
	public function test_broken_listener_list_fails_the_attempt() {
		$inbox   = new CasPay_Inbox(
			$this->store,
			static function () {
				throw new RuntimeException( 'filter broke' );
			}
		);
		$outcome = $inbox->deliver( self::event(), 'php', 0 );
		$this->assertSame( 'failed', $outcome['outcome'] );
		$this->assertStringContainsString( 'RuntimeException: filter broke', $outcome['error'] );
	}

	/**
	 * The lease ends just before CasPay's first retry (60 s), whatever PHP's time limit:
	 * max_execution_time counts CPU time, and a run waiting on a remote service is not
	 * stopped by it, so a lease derived from it (40 s for the default 30) let a second run
	 * start beside a slow first one.
	 */
	public function test_lease_is_wall_clock_and_ends_before_caspays_first_retry() {
		$previous = ini_set( 'max_execution_time', '30' );
		try {
			$this->assertSame( 55, ( new CasPay_Inbox( $this->store, 'is_array' ) )->lease_seconds() );
		} finally {
			ini_set( 'max_execution_time', (string) $previous );
		}
		$this->assertSame( 20, ( new CasPay_Inbox( $this->store, 'is_array', array( 'lease_seconds' => 20 ) ) )->lease_seconds() );
	}

	/**
	 * Errors are cut on a character boundary, whatever the text.
	 */
	public function test_cut_keeps_whole_characters() {
		$this->assertSame( 'ab', CasPay_Inbox::cut( 'ab', 5 ) );
		$this->assertSame( 'a', CasPay_Inbox::cut( 'aé', 2 ), 'é is 2 bytes' );
		$this->assertSame( 'aé', CasPay_Inbox::cut( 'aéb', 3 ) );
		$this->assertSame( 'x', CasPay_Inbox::cut( 'x🎉', 4 ), '🎉 is 4 bytes' );
		$this->assertSame( 'x🎉', CasPay_Inbox::cut( 'x🎉y', 5 ) );
		$this->assertSame( '', CasPay_Inbox::cut( '€', 2 ) );
		$inbox = $this->inbox(
			array(
				'long' => static function () {
					throw new RuntimeException( str_repeat( 'é', 5000 ) );
				},
			)
		);
		$error = $inbox->deliver( self::event(), 'php', 0 )['error'];
		$this->assertLessThanOrEqual( CasPay_Inbox::MAX_ERROR_BYTES, strlen( $error ) );
		$this->assertTrue( (bool) preg_match( '//u', $error ), 'valid UTF-8' );
	}

	/**
	 * Backoff: 10 s × 2^(attempts − 1), at most one hour.
	 */
	public function test_backoff() {
		$this->assertSame( array( 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600 ), array_map( array( 'CasPay_Inbox', 'backoff' ), range( 1, 11 ) ) );
		$this->assertSame( 3600, CasPay_Inbox::backoff( 1000 ) );
	}
}
