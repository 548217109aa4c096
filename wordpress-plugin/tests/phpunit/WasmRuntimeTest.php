<?php
/**
 * The WebAssembly engine's runtime: module cache safety, traps, limits, fallbacks.
 *
 * @package CasPay_Webhooks
 */

use PHPUnit\Framework\TestCase;

/**
 * Runs real Wasmtime, in this process and in fresh PHP processes.
 */
final class WasmRuntimeTest extends TestCase {

	/**
	 * A private temporary directory for this test.
	 *
	 * @var string
	 */
	private $tmp;

	/**
	 * Creates the directory.
	 */
	protected function setUp(): void {
		$this->tmp = sys_get_temp_dir() . '/caspay-test-' . bin2hex( random_bytes( 6 ) );
		mkdir( $this->tmp, 0700 );
	}

	/**
	 * Removes the directory.
	 */
	protected function tearDown(): void {
		exec( 'rm -rf ' . escapeshellarg( $this->tmp ) );
	}

	/**
	 * Runs the engine report fixture in a fresh PHP process.
	 *
	 * @param string $cache_dir Cache dir or '-'.
	 * @param string $prefix    Shell prefix (ulimit) and PHP flags.
	 * @param string $php_flags Extra php -d flags.
	 * @return array
	 */
	private static function report( $cache_dir, $prefix = '', $php_flags = '-d ffi.enable=1' ) {
		$command = $prefix . escapeshellarg( PHP_BINARY ) . ' ' . $php_flags . ' ' . escapeshellarg( __DIR__ . '/fixtures/engine-report.php' ) . ' ' . escapeshellarg( $cache_dir ) . ' 2>&1';
		exec( 'bash -c ' . escapeshellarg( $command ), $output, $status );
		$text = implode( "\n", $output );
		self::assertSame( 0, $status, $text );
		$report = json_decode( $text, true );
		self::assertIsArray( $report, $text );
		self::assertSame( hash_hmac( 'sha256', '{"id":"evt_1"}', 'whsec_test' ), $report['sign'] );
		return $report;
	}

	/**
	 * The first process compiles and saves the module privately; the next loads it.
	 */
	public function test_module_is_compiled_once_then_loaded_from_the_cache() {
		$dir    = $this->tmp . '/cache';
		$first  = self::report( $dir );
		$second = self::report( $dir );
		$this->assertSame( 'wasm', $first['engine'], $first['reason'] );
		$this->assertStringStartsWith( 'compiled and saved to ' . $dir . '/module-', $first['details']['cache'] );
		$this->assertStringStartsWith( 'loaded from ' . $dir . '/module-', $second['details']['cache'] );
		// What each process paid to start the engine, step by step, as the settings screen
		// shows it: compiling the module costs far more than loading it from the cache.
		$this->assertSame( array( 'bind', 'engine', 'module', 'instance' ), array_keys( $second['setup'] ) );
		$this->assertGreaterThan( 10 * $second['setup']['module'], $first['setup']['module'] );
		$this->assertStringContainsString( sprintf( 'module %.2f', $second['setup']['module'] ), $second['details']['setup'] );
		$this->assertSame( 0700, fileperms( $dir ) & 0777 );
		$files = glob( $dir . '/module-*.cwasm' );
		$this->assertCount( 1, $files );
		$this->assertSame( 0600, fileperms( $files[0] ) & 0777 );
	}

	/**
	 * Our own directory, left too open, is tightened before use.
	 */
	public function test_open_cache_directory_of_ours_is_tightened() {
		$dir = $this->tmp . '/open';
		mkdir( $dir );
		chmod( $dir, 0777 );
		$report = self::report( $dir );
		$this->assertStringStartsWith( 'compiled and saved', $report['details']['cache'] );
		$this->assertSame( 0700, fileperms( $dir ) & 0777 );
	}

	/**
	 * A symlinked directory is never used (it could point anywhere).
	 */
	public function test_symlinked_cache_directory_is_refused() {
		mkdir( $this->tmp . '/elsewhere', 0700 );
		symlink( $this->tmp . '/elsewhere', $this->tmp . '/link' );
		$report = self::report( $this->tmp . '/link' );
		$this->assertSame( 'wasm', $report['engine'] );
		$this->assertStringContainsString( 'off: ' . $this->tmp . '/link: is a symbolic link', $report['details']['cache'] );
		$this->assertSame( array(), glob( $this->tmp . '/elsewhere/*' ) );
	}

	/**
	 * The cache directory is private, the parents it creates are not: wp-content/cache is
	 * where caching plugins keep files the web server (another user) must read.
	 */
	public function test_parents_made_for_the_cache_keep_the_usual_mode() {
		$old    = umask( 022 );
		$shared = $this->tmp . '/wp-content/cache';
		try {
			$cache = new CasPay_Module_Cache( $shared . '/caspay-webhooks' );
		} finally {
			umask( $old );
		}
		$this->assertSame( $shared . '/caspay-webhooks', $cache->dir() );
		$this->assertSame( 0700, fileperms( $shared . '/caspay-webhooks' ) & 0777 );
		$this->assertSame( 0755, fileperms( $shared ) & 0777 );
		$this->assertSame( 0755, fileperms( $this->tmp . '/wp-content' ) & 0777 );
	}

	/**
	 * A directory owned by someone else is never used (as root, chown makes one).
	 */
	public function test_foreign_cache_directory_is_refused() {
		$dir = $this->tmp . '/foreign';
		mkdir( $dir, 0700 );
		if ( 0 === posix_geteuid() ) {
			chown( $dir, 65534 );
			$expected = 'is owned by another user';
		} else {
			chmod( $dir, 0000 ); // Not root: an unusable directory must still leave the engine working.
			$expected = 'off: ';
		}
		$report = self::report( $dir );
		$this->assertSame( 'wasm', $report['engine'] );
		$this->assertStringContainsString( $expected, $report['details']['cache'] );
	}

	/**
	 * Saving a module deletes the ones unused for 30 days and stale temporary files, and
	 * keeps the rest; loading one deletes nothing.
	 */
	public function test_modules_unused_for_30_days_are_deleted_when_another_is_saved() {
		$dir = $this->tmp . '/cache';
		mkdir( $dir, 0700 );
		$unused    = $dir . '/module-' . str_repeat( 'a', 64 ) . '.cwasm';
		$recent    = $dir . '/module-' . str_repeat( 'b', 64 ) . '.cwasm';
		$temporary = $dir . '/tmp-interrupted';
		$other     = $dir . '/notes.txt';
		$long_ago  = time() - CasPay_Module_Cache::UNUSED_SECONDS - 86400;
		$days_ago  = time() - 10 * 86400;
		foreach ( array( $unused => $long_ago, $recent => $days_ago, $temporary => $long_ago, $other => $long_ago ) as $file => $time ) {
			file_put_contents( $file, 'x' );
			chmod( $file, 0600 );
			touch( $file, $time, $time );
		}
		$report = self::report( $dir );
		$this->assertStringStartsWith( 'compiled and saved', $report['details']['cache'] );
		$this->assertFileDoesNotExist( $unused );
		$this->assertFileDoesNotExist( $temporary );
		$this->assertFileExists( $recent );
		$this->assertFileExists( $other, 'only module and temporary files are the cache\'s' );
		$this->assertCount( 2, glob( $dir . '/module-*.cwasm' ) );

		touch( $recent, $long_ago, $long_ago );
		$this->assertStringStartsWith( 'loaded from', self::report( $dir )['details']['cache'] );
		$this->assertFileExists( $recent );
	}

	/**
	 * Cache files another user could have written, or that are not modules, are not loaded.
	 */
	public function test_untrusted_or_corrupt_cache_files_are_replaced() {
		$dir   = $this->tmp . '/cache';
		$first = self::report( $dir );
		$file  = substr( $first['details']['cache'], strlen( 'compiled and saved to ' ) );
		chmod( $file, 0666 );
		$writable = self::report( $dir );
		$this->assertStringStartsWith( 'compiled and saved', $writable['details']['cache'] );
		$this->assertSame( 0600, fileperms( $file ) & 0777 );

		file_put_contents( $file, 'not a module' );
		$corrupt = self::report( $dir );
		$this->assertStringStartsWith( 'compiled and saved', $corrupt['details']['cache'] );
		$this->assertArrayHasKey( 'cache_error', $corrupt['details'] );
		$this->assertStringStartsWith( 'loaded from', self::report( $dir )['details']['cache'] );
	}

	/**
	 * No 4 GiB reservation per memory under `ulimit -v` of 1 GiB: the engine checks bounds
	 * and runs. Without a limit it uses guard pages, and the settings screen says which.
	 */
	public function test_runs_under_a_virtual_memory_limit() {
		$limited = self::report( $this->tmp . '/cache', 'ulimit -v 1048576 && ' );
		$this->assertSame( 'wasm', $limited['engine'], $limited['reason'] );
		$this->assertStringStartsWith( 'bounds checks', $limited['details']['memory'] );
		$this->assertSame( $limited['reference'], $limited['parsed'] );
		$free = self::report( $this->tmp . '/cache', 'ulimit -v unlimited && ' );
		$this->assertStringStartsWith( 'guard pages', $free['details']['memory'] );
		$this->assertSame( $free['reference'], $free['parsed'] );
		// Each configuration compiles its own module: a cached one is tied to its engine's.
		$this->assertCount( 2, glob( $this->tmp . '/cache/module-*.cwasm' ) );
	}

	/**
	 * The readme's route for ffi.enable=preload hosts: a copy of the shipped header with
	 * FFI_LIB set, named by ffi.preload. PHP must start with it, and the engine must bind
	 * the preloaded scope rather than load the library again, although the library's path
	 * is configured too (CASPAY_WEBHOOKS_WASMTIME_LIB, as the readme has merchants define).
	 */
	public function test_preloaded_ffi_scope_is_bound() {
		$library = CasPay_Wasm_Runtime::find_library();
		$this->assertNotNull( $library, 'scripts/test-php.sh provides the library' );
		$header = $this->tmp . '/wasmtime-ffi.h';
		$copied = preg_replace( '/^#define FFI_LIB .*$/m', '#define FFI_LIB "' . $library . '"', (string) file_get_contents( dirname( __DIR__, 2 ) . '/includes/wasmtime-ffi.h' ), -1, $replaced );
		$this->assertSame( 1, $replaced );
		file_put_contents( $header, $copied );
		$report = self::report( $this->tmp . '/cache', '', '-d ffi.enable=preload -d ffi.preload=' . escapeshellarg( $header ) );
		$this->assertSame( 'wasm', $report['engine'], $report['reason'] );
		$this->assertSame( 'ffi.preload scope ' . CasPay_Wasm_Runtime::FFI_SCOPE, $report['details']['library'] );
		$this->assertSame( $report['reference'], $report['parsed'] );
	}

	/**
	 * Without FFI the automatic choice is PHP, and the reason says how to fix it.
	 */
	public function test_without_ffi_the_php_engine_answers() {
		$report = self::report( '-', '', '-d ffi.enable=0' );
		$this->assertSame( 'php', $report['engine'] );
		$this->assertStringContainsString( 'ffi.enable=1', $report['reason'] );
	}

	/**
	 * A missing library is a clear error for `wasm` and a fallback for `auto`.
	 */
	public function test_missing_library() {
		$this->assert_unavailable(
			array(
				'library'   => $this->tmp . '/nope/libwasmtime.so',
				'cache_dir' => false,
			),
			'CASPAY_WEBHOOKS_WASMTIME_LIB',
			'was not found'
		);
	}

	/**
	 * A module that is not the plain-ABI build is refused at load.
	 */
	public function test_foreign_module_is_refused() {
		file_put_contents( $this->tmp . '/empty.wasm', "\0asm\x01\0\0\0" );
		$this->expectException( CasPay_Engine_Unavailable_Exception::class );
		$this->expectExceptionMessage( 'lacks the export memory' );
		CasPay_Engine_Selector::create(
			'wasm',
			array(
				'module'    => $this->tmp . '/empty.wasm',
				'cache_dir' => false,
			)
		);
	}

	/**
	 * Both memory configurations.
	 *
	 * @return array<string, array{0: bool}>
	 */
	public static function memory_configurations() {
		return array(
			'guard pages'   => array( true ),
			'bounds checks' => array( false ),
		);
	}

	/**
	 * A request that dies of a fatal error runs no destructor; the shutdown function frees
	 * its engine, module and store, so a long-lived server process (php-fpm, here php -S)
	 * does not keep 4 GiB of address space per such request until it runs out of mappings.
	 */
	public function test_a_fatal_error_frees_the_requests_webassembly_runtime() {
		$probe = stream_socket_server( 'tcp://127.0.0.1:0' );
		$port  = (int) substr( strrchr( stream_socket_get_name( $probe, false ), ':' ), 1 );
		fclose( $probe );
		$server = proc_open(
			array( PHP_BINARY, '-d', 'ffi.enable=1', '-S', "127.0.0.1:$port", __DIR__ . '/fixtures/fatal-router.php' ),
			array(
				1 => array( 'file', '/dev/null', 'w' ),
				2 => array( 'file', '/dev/null', 'w' ),
			),
			$pipes
		);
		try {
			$get = static function ( $query ) use ( $port ) {
				return @file_get_contents( "http://127.0.0.1:$port/$query" ); // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged
			};
			for ( $i = 0; $i < 100 && ! is_numeric( $get( '' ) ); $i++ ) {
				usleep( 50000 );
			}
			$pid    = (int) $get( '' );
			$before = self::address_space( $pid );
			for ( $i = 0; $i < 5; $i++ ) {
				$this->assertFalse( is_numeric( $get( '?fatal' ) ), 'the request died' );
			}
			$this->assertSame( $pid, (int) $get( '' ), 'one server process served every request' );
			$grown = self::address_space( $pid ) - $before;
			$this->assertLessThan( 1024 * 1024 * 1024, $grown, 'address space kept by 5 fatal requests' );
		} finally {
			proc_terminate( $server );
			proc_close( $server );
		}
	}

	/**
	 * A process's address space in bytes (VmSize).
	 *
	 * @param int $pid Process id.
	 * @return int
	 */
	private static function address_space( $pid ) {
		preg_match( '/^VmSize:\s+(\d+) kB/m', (string) file_get_contents( "/proc/$pid/status" ), $m );
		return 1024 * (int) $m[1];
	}

	/**
	 * A module whose first call traps (its memory capped at its minimum: the first
	 * allocation cannot grow it) is an engine that cannot start, which `auto` replaces
	 * with the PHP engine. Replacing the trapped instance from inside instantiation
	 * recursed until PHP's memory ran out, a fatal error nothing could catch.
	 */
	public function test_an_instance_that_traps_on_its_first_call_is_an_unavailable_engine() {
		$this->assert_unavailable(
			array(
				'memory_limit' => 17 * 65536,
				'cache_dir'    => false,
			),
			'failed on its first call',
			'failed on its first call'
		);
	}

	/**
	 * `wasm` refuses the configuration with the error, and `auto` answers with the PHP
	 * engine, saying why.
	 *
	 * @param array  $config See CasPay_Wasm_Runtime::shared().
	 * @param string $error  Part of the refusal's message.
	 * @param string $reason Part of the selection's reason.
	 */
	private function assert_unavailable( array $config, $error, $reason ) {
		try {
			CasPay_Engine_Selector::create( 'wasm', $config );
			$this->fail( 'the WebAssembly engine was created' );
		} catch ( CasPay_Engine_Unavailable_Exception $e ) {
			$this->assertStringContainsString( $error, $e->getMessage() );
		}
		$selected = CasPay_Engine_Selector::select( 'auto', $config );
		$this->assertSame( 'php', $selected['engine']->name() );
		$this->assertStringContainsString( $reason, $selected['reason'] );
	}

	/**
	 * A trap (here: memory exhausted while parsing) costs the instance, not the engine:
	 * internal_error, then the next calls work on a fresh instance.
	 *
	 * @dataProvider memory_configurations
	 * @param bool $guard_pages Guard pages or bounds checks.
	 */
	public function test_trap_replaces_the_instance( $guard_pages ) {
		$engine   = CasPay_Engine_Selector::create(
			'wasm',
			array(
				'memory_limit' => 2 * 1024 * 1024,
				'cache_dir'    => false,
				'guard_pages'  => $guard_pages,
			)
		);
		$this->assertStringStartsWith( $guard_pages ? 'guard pages' : 'bounds checks', $engine->details()['memory'] );
		$webhooks = new CasPay_Webhooks( $engine );
		$body     = '{"type":"test.webhook","data":{"s":"' . str_repeat( 'a', 600000 ) . '"}}';
		try {
			$webhooks->parse( $body, array( 'max_payload_bytes' => 1000000 ) );
			$this->fail( 'parsed 600 kB within 2 MiB of WebAssembly memory' );
		} catch ( CasPay_Webhook_Exception $e ) {
			$this->assertSame( 'internal_error', $e->code_name );
			$this->assertStringContainsString( 'replaced', $e->getMessage() );
		}
		$this->assertSame( 1, $engine->replaced_instances );
		$this->assertSame( 'test.webhook', $webhooks->parse( '{"type":"test.webhook","data":{}}' )['type'] );
		$this->assertSame( hash_hmac( 'sha256', 'x', 'k' ), $webhooks->sign( 'x', 'k' ) );

		$huge = str_repeat( ' ', 3 * 1024 * 1024 );
		try {
			$webhooks->verify( $huge, str_repeat( '0', 64 ), 'k' );
			$this->fail( 'verified 3 MiB within 2 MiB of WebAssembly memory' );
		} catch ( CasPay_Webhook_Exception $e ) {
			$this->assertSame( 'payload_too_large', $e->code_name );
		}
	}
}
