<?php
/**
 * Wasmtime loaded through PHP FFI: the engine and the compiled module, once per process.
 *
 * @package CasPay_Webhooks
 */

defined( 'ABSPATH' ) || defined( 'CASPAY_WEBHOOKS_LIBRARY' ) || exit;

/**
 * Owns what is expensive and shareable: the FFI binding, the Wasmtime engine and the
 * compiled module. Stores (one per CasPay_Wasm_Engine) are created here and registered,
 * because Wasmtime requires them to be deleted before the module and the engine, and PHP
 * runs destructors at shutdown in no guaranteed order.
 */
final class CasPay_Wasm_Runtime {

	/** The Wasmtime C API version wasmtime-ffi.h was written from (struct layouts depend on it). */
	const WASMTIME_VERSION = '50.0.1';

	/** The ffi.preload scope name, for hosts that cannot enable FFI at runtime. */
	const FFI_SCOPE = 'CASPAY_WEBHOOKS_WASMTIME';

	/** The contract version of src/host/ABI.md this host implements. */
	const ABI_VERSION = 1;

	/**
	 * Engine configuration where the process may reserve address space freely (see
	 * guard_pages()), part of the module cache key: Wasmtime's defaults, a 4 GiB
	 * reservation and guard pages per linear memory, so the compiled code checks no bounds;
	 * an out-of-bounds access faults in the guard and Wasmtime's signal handler turns it
	 * into a trap (handlers chain to any the process had, as in every Wasmtime embedding).
	 * Measured with callgrind on a 403-byte construct: 96k instructions in the module's call
	 * against 121k with explicit bounds checks, about 10% of the whole construct's time.
	 * Parallel compilation would start threads inside php-fpm workers for a 100 KB module.
	 */
	const GUARDED_CONFIG = 'signals_based_traps=1;parallel_compilation=0';

	/**
	 * Engine configuration under an address-space limit, part of the module cache key.
	 * Memory reservation and guard at 0: the 4 GiB reservation per linear memory would
	 * fail under `ulimit -v` (common on shared hosting). Without signal-based traps Wasmtime
	 * installs no signal handler into the PHP process; bounds are checked explicitly, which
	 * the zero reservation requires anyway.
	 *
	 * Reservation for growth is 4 MiB of address space (not memory), not 0: per request,
	 * the first input makes the module's 1.1 MB memory grow by a page, and without room to
	 * grow in place Wasmtime copies the whole memory, still mapped copy-on-write from the
	 * module, to a new mapping: about 1.2 ms of every request's first call, and 0.1 ms more
	 * to unmap it at the end (0.03 ms together with the room). 4 MiB covers the default
	 * 256 KiB bodies: parsing one grows the memory by about 1.4 MiB.
	 */
	const CHECKED_CONFIG = 'memory_reservation=0;memory_guard_size=0;memory_reservation_for_growth=4194304;signals_based_traps=0;parallel_compilation=0';

	/** The address space a linear memory may grow into without moving (see CHECKED_CONFIG). */
	const MEMORY_RESERVATION_FOR_GROWTH = 4194304;

	/** Where Wasmtime's C API library is looked for when no path is configured. */
	const SYSTEM_LIBRARIES = array(
		'/usr/local/lib/libwasmtime.so',
		'/usr/lib/libwasmtime.so',
		'/usr/lib/x86_64-linux-gnu/libwasmtime.so',
		'/usr/local/lib64/libwasmtime.so',
		'/opt/wasmtime/lib/libwasmtime.so',
	);

	/**
	 * Runtimes by configuration, so every engine object of a process shares one.
	 *
	 * @var CasPay_Wasm_Runtime[]
	 */
	private static $shared = array();

	/**
	 * The FFI binding.
	 *
	 * @var FFI
	 */
	public $ffi;

	/**
	 * The wasm_engine_t*.
	 *
	 * @var FFI\CData|null
	 */
	private $engine;

	/**
	 * The wasmtime_module_t*.
	 *
	 * @var FFI\CData|null
	 */
	private $module;

	/**
	 * Live wasmtime_store_t* by id.
	 *
	 * @var FFI\CData[]
	 */
	private $stores = array();

	/**
	 * Next store id.
	 *
	 * @var int
	 */
	private $next_store = 1;

	/**
	 * Largest size in bytes a store's linear memory may grow to.
	 *
	 * @var int
	 */
	public $memory_limit;

	/**
	 * How this runtime was set up, for people (library, module, cache).
	 *
	 * @var array<string, string>
	 */
	public $details = array();

	/**
	 * Whether linear memories have guard pages (GUARDED_CONFIG) rather than bounds checks.
	 *
	 * @var bool
	 */
	public $guarded;

	/**
	 * Whether the compiled module came from, or went into, the module cache: when false,
	 * every PHP request that starts this runtime compiles the module again.
	 *
	 * @var bool
	 */
	public $cache_usable = false;

	/**
	 * How long compiling the module took in this process, in milliseconds (null when it
	 * was loaded from the cache).
	 *
	 * @var float|null
	 */
	public $compile_ms;

	/**
	 * What creating this runtime took, in milliseconds: `bind` (the C API bound through
	 * FFI), `engine` (a Wasmtime engine created), `module` (loaded from the cache, or
	 * compiled). A PHP process pays it once; a web server's PHP, once per request.
	 *
	 * @var array<string, float>
	 */
	public $setup_ms = array();

	/**
	 * The runtime for a configuration, created on first use.
	 *
	 * @param array $config Keys: library, module, cache_dir (null = temp dir, false = off),
	 *                      cache_index_file, memory_limit, guard_pages (see guard_pages()).
	 * @return self
	 * @throws CasPay_Engine_Unavailable_Exception When Wasmtime cannot run here.
	 */
	public static function shared( array $config = array() ) {
		$key = md5( serialize( $config ) );
		if ( ! isset( self::$shared[ $key ] ) ) {
			$runtime              = new self( $config );
			self::$shared[ $key ] = $runtime;
			// Wasmtime's memory is not PHP's: after a fatal error (a listener over
			// max_execution_time or memory_limit) PHP runs no destructor, and a php-fpm worker
			// would keep each request's engine, module and stores (4 GiB of address space per
			// store) for its whole life. Shutdown functions run after fatal errors too; this
			// one is registered from shutdown, so it runs after those already registered.
			register_shutdown_function(
				static function () use ( $runtime ) {
					register_shutdown_function( array( $runtime, 'close' ) );
				}
			);
		}
		return self::$shared[ $key ];
	}

	/**
	 * Loads the library, creates the engine and loads or compiles the module.
	 *
	 * @param array $config See shared().
	 * @throws CasPay_Engine_Unavailable_Exception When Wasmtime cannot run here.
	 */
	private function __construct( array $config ) {
		$this->memory_limit = isset( $config['memory_limit'] ) ? (int) $config['memory_limit'] : 64 * 1024 * 1024;
		$module_path        = isset( $config['module'] ) ? $config['module'] : dirname( __DIR__ ) . '/wasm/caspay_webhooks_abi.wasm';
		// Only read when it must be compiled: a request that loads the cached module needs
		// no more than its digest.
		if ( ! is_file( $module_path ) || ! is_readable( $module_path ) || 0 === filesize( $module_path ) ) {
			throw self::module_unreadable( $module_path );
		}
		$started            = hrtime( true );
		$library            = $this->bind( $config );
		$bound              = hrtime( true );
		$this->details      = array(
			'library' => $library,
			'module'  => $module_path,
		);
		$this->guarded      = self::guard_pages( $config );
		$config_handle      = $this->ffi->wasm_config_new();
		if ( $this->guarded ) {
			$this->ffi->wasmtime_config_signals_based_traps_set( $config_handle, true );
			$this->details['memory'] = 'guard pages (4 GiB of address space reserved per memory; no bounds checks)';
		} else {
			$this->ffi->wasmtime_config_memory_reservation_set( $config_handle, 0 );
			$this->ffi->wasmtime_config_memory_guard_size_set( $config_handle, 0 );
			$this->ffi->wasmtime_config_memory_reservation_for_growth_set( $config_handle, self::MEMORY_RESERVATION_FOR_GROWTH );
			$this->ffi->wasmtime_config_signals_based_traps_set( $config_handle, false );
			$this->details['memory'] = 'bounds checks (the address space is limited, or guard pages are off)';
		}
		$this->ffi->wasmtime_config_parallel_compilation_set( $config_handle, false );
		// The engine takes ownership of the configuration.
		$this->engine = $this->ffi->wasm_engine_new_with_config( $config_handle );
		if ( null === $this->engine || FFI::isNull( $this->engine ) ) {
			throw new CasPay_Engine_Unavailable_Exception( 'Wasmtime could not create an engine.' );
		}
		$engine_ready = hrtime( true );
		try {
			$this->module = $this->load_module( $module_path, $library, $config );
		} catch ( Throwable $e ) {
			// A constructor that throws gets no destructor call.
			$this->close();
			throw $e;
		}
		$this->setup_ms = array(
			'bind'   => ( $bound - $started ) / 1e6,
			'engine' => ( $engine_ready - $bound ) / 1e6,
			'module' => ( hrtime( true ) - $engine_ready ) / 1e6,
		);
	}

	/**
	 * Whether to run with guard pages: config `guard_pages` when set (false forces bounds
	 * checks), otherwise only when the process's address space is unlimited. posix_getrlimit
	 * tells; without the posix extension the limit is unknown, so bounds are checked.
	 *
	 * @param array $config See shared().
	 * @return bool
	 */
	private static function guard_pages( array $config ) {
		if ( isset( $config['guard_pages'] ) ) {
			return (bool) $config['guard_pages'];
		}
		$limits = function_exists( 'posix_getrlimit' ) ? posix_getrlimit() : false;
		return is_array( $limits ) && isset( $limits['soft totalmem'] ) && 'unlimited' === $limits['soft totalmem'];
	}

	/**
	 * The error for a missing, empty or unreadable module file.
	 *
	 * @param string $module_path The file.
	 * @return CasPay_Engine_Unavailable_Exception
	 */
	private static function module_unreadable( $module_path ) {
		return new CasPay_Engine_Unavailable_Exception( sprintf( 'The WebAssembly module %s is missing or unreadable; build it with scripts/build-wasm.sh or reinstall the plugin.', $module_path ) );
	}

	/**
	 * The module file's digest for the cache key. The key only has to tell builds apart:
	 * what makes a cached file safe to load is the cache's ownership checks, and whoever can
	 * replace the .wasm can replace the plugin's PHP. So xxh128 (PHP 8.1+) where available:
	 * SHA-256 of this 110 KB file took 0.7 ms of every request, xxh128 takes 0.02 ms.
	 *
	 * @param string $module_path The file.
	 * @return string
	 * @throws CasPay_Engine_Unavailable_Exception When it cannot be read.
	 */
	private static function module_digest( $module_path ) {
		$algorithm = PHP_VERSION_ID >= 80100 ? 'xxh128' : 'sha256';
		$digest    = hash_file( $algorithm, $module_path );
		if ( false === $digest ) {
			throw self::module_unreadable( $module_path );
		}
		return $algorithm . ':' . $digest;
	}

	/**
	 * Binds the C API: the FFI scope preloaded at start-up when the host set one up
	 * (ffi.preload with the header's FFI_SCOPE), otherwise FFI::cdef() on the library file.
	 * The scope comes first, whatever library is configured: FFI::cdef() loads the library
	 * and parses the declarations again in every request (0.16 to 0.18 ms per request in
	 * bench/php), the preloaded scope once per PHP process.
	 *
	 * @param array $config See shared().
	 * @return string The library used, for people.
	 * @throws CasPay_Engine_Unavailable_Exception When FFI is off or the library is missing.
	 */
	private function bind( array $config ) {
		if ( ! extension_loaded( 'ffi' ) || ! class_exists( 'FFI' ) ) {
			throw new CasPay_Engine_Unavailable_Exception( 'PHP\'s FFI extension is not loaded (it is part of PHP 7.4+; enable extension=ffi).' );
		}
		$scope = self::preloaded_scope();
		if ( null !== $scope ) {
			$this->ffi = $scope;
			return 'ffi.preload scope ' . self::FFI_SCOPE;
		}
		$library = self::find_library( $config );
		if ( null === $library ) {
			throw new CasPay_Engine_Unavailable_Exception(
				sprintf(
					'Wasmtime\'s C API library (libwasmtime.so, version %1$s) was not found: define CASPAY_WEBHOOKS_WASMTIME_LIB with its path (searched: %2$s).',
					self::WASMTIME_VERSION,
					implode( ', ', self::candidate_libraries( $config ) )
				)
			);
		}
		$header = file_get_contents( __DIR__ . '/wasmtime-ffi.h' ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_get_contents_file_get_contents
		try {
			$this->ffi = FFI::cdef( (string) preg_replace( '/^#define .*$/m', '', (string) $header ), $library );
		} catch ( Throwable $e ) {
			$restricted = false !== strpos( $e->getMessage(), 'restricted' );
			throw new CasPay_Engine_Unavailable_Exception(
				$restricted
					? sprintf( 'PHP FFI is not allowed here (ffi.enable=%1$s, server API %2$s). Set ffi.enable=1 in php.ini (it cannot be changed at runtime), or use ffi.preload with opcache preloading as readme.txt describes.', (string) ini_get( 'ffi.enable' ), PHP_SAPI )
					: sprintf( 'Wasmtime\'s C API library %1$s could not be loaded: %2$s', $library, $e->getMessage() )
			);
		}
		return $library;
	}

	/**
	 * The FFI scope ffi.preload declared at start-up, or null when there is none (no
	 * ffi.preload, or one that does not declare FFI_SCOPE).
	 *
	 * @return FFI|null
	 */
	private static function preloaded_scope() {
		if ( '' === (string) ini_get( 'ffi.preload' ) ) {
			return null;
		}
		try {
			return FFI::scope( self::FFI_SCOPE );
		} catch ( Throwable $e ) {
			return null;
		}
	}

	/**
	 * The library path: the `library` setting, the CASPAY_WEBHOOKS_WASMTIME_LIB constant or
	 * environment variable, then the usual places.
	 *
	 * @param array $config See shared().
	 * @return string|null
	 */
	public static function find_library( array $config = array() ) {
		foreach ( self::candidate_libraries( $config ) as $path ) {
			if ( is_file( $path ) && is_readable( $path ) ) {
				return $path;
			}
		}
		return null;
	}

	/**
	 * Every path find_library() tries, in order.
	 *
	 * @param array $config See shared().
	 * @return string[]
	 */
	private static function candidate_libraries( array $config ) {
		if ( ! empty( $config['library'] ) ) {
			return array( (string) $config['library'] );
		}
		if ( defined( 'CASPAY_WEBHOOKS_WASMTIME_LIB' ) && '' !== (string) constant( 'CASPAY_WEBHOOKS_WASMTIME_LIB' ) ) {
			return array( (string) constant( 'CASPAY_WEBHOOKS_WASMTIME_LIB' ) );
		}
		$environment = getenv( 'CASPAY_WEBHOOKS_WASMTIME_LIB' );
		if ( is_string( $environment ) && '' !== $environment ) {
			return array( $environment );
		}
		// A plugin directory inside the project checkout: scripts/ensure-wasmtime.sh caches there.
		$project = dirname( __DIR__, 2 ) . '/.cache/wasmtime/' . self::WASMTIME_VERSION . '/libwasmtime.so';
		return array_merge( array( $project, dirname( __DIR__ ) . '/wasm/libwasmtime.so' ), self::SYSTEM_LIBRARIES );
	}

	/**
	 * Loads the serialized module from the trusted cache, or compiles and caches it.
	 *
	 * @param string $module_path The module file.
	 * @param string $library     The library used (part of the cache key).
	 * @param array  $config      See shared().
	 * @return FFI\CData The wasmtime_module_t*.
	 * @throws CasPay_Engine_Unavailable_Exception When Wasmtime rejects the module.
	 */
	private function load_module( $module_path, $library, array $config ) {
		$cache_dir = array_key_exists( 'cache_dir', $config ) ? $config['cache_dir'] : null;
		$cache     = false === $cache_dir ? null : new CasPay_Module_Cache( $cache_dir, ! empty( $config['cache_index_file'] ) );
		$identity  = is_file( $library ) ? $library . ':' . filesize( $library ) . ':' . filemtime( $library ) : $library;
		$key       = 'wasmtime=' . self::WASMTIME_VERSION . ';library=' . $identity . ';' . ( $this->guarded ? self::GUARDED_CONFIG : self::CHECKED_CONFIG ) . ';module=' . self::module_digest( $module_path );
		$path      = null === $cache ? null : $cache->path( $key );
		$module    = $this->ffi->new( 'wasmtime_module_t*' );

		if ( null !== $path && file_exists( $path ) && $cache->trusted_file( $path ) ) {
			$error = $this->ffi->wasmtime_module_deserialize_file( $this->engine, $path, FFI::addr( $module ) );
			if ( null === $error ) {
				$this->details['cache'] = 'loaded from ' . $path;
				$this->cache_usable     = true;
				return $module;
			}
			// Wasmtime refuses a file from another version or configuration: compile again.
			$this->details['cache_error'] = $this->error_text( $error );
		}

		$wasm = file_get_contents( $module_path ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_get_contents_file_get_contents
		if ( false === $wasm || '' === $wasm ) {
			throw self::module_unreadable( $module_path );
		}
		$started = hrtime( true );
		$length  = strlen( $wasm );
		$bytes   = $this->ffi->new( "uint8_t[$length]" );
		FFI::memcpy( $bytes, $wasm, $length );
		$error = $this->ffi->wasmtime_module_new( $this->engine, $bytes, $length, FFI::addr( $module ) );
		if ( null !== $error ) {
			throw new CasPay_Engine_Unavailable_Exception( 'Wasmtime could not compile the module: ' . $this->error_text( $error ) );
		}
		$this->compile_ms             = ( hrtime( true ) - $started ) / 1e6;
		$this->details['compiled_in'] = sprintf( '%.0f ms', $this->compile_ms );
		$this->details['cache']       = null === $path ? 'off: ' . ( null === $cache ? 'disabled' : $cache->problem() ) : 'compiled';
		if ( null !== $path ) {
			$serialized = $this->ffi->new( 'wasm_byte_vec_t' );
			$error      = $this->ffi->wasmtime_module_serialize( $module, FFI::addr( $serialized ) );
			if ( null === $error ) {
				$stored = $cache->store( $path, FFI::string( $serialized->data, $serialized->size ) );
				$this->ffi->wasm_byte_vec_delete( FFI::addr( $serialized ) );
				$this->details['cache'] = $stored ? 'compiled and saved to ' . $path : 'compiled; saving to ' . $path . ' failed';
				$this->cache_usable     = $stored;
			} else {
				$this->details['cache'] = 'compiled; serialization failed: ' . $this->error_text( $error );
			}
		}
		return $module;
	}

	/**
	 * A new store with the memory limit applied.
	 *
	 * @return array{0: int, 1: FFI\CData} Store id and wasmtime_store_t*.
	 * @throws CasPay_Engine_Unavailable_Exception After close().
	 */
	public function new_store() {
		if ( null === $this->engine ) {
			throw new CasPay_Engine_Unavailable_Exception( 'The WebAssembly runtime was shut down with the request.' );
		}
		$store = $this->ffi->wasmtime_store_new( $this->engine, null, null );
		$this->ffi->wasmtime_store_limiter( $store, $this->memory_limit, -1, -1, -1, -1 );
		$id                  = $this->next_store++;
		$this->stores[ $id ] = $store;
		return array( $id, $store );
	}

	/**
	 * The module, for instantiation.
	 *
	 * @return FFI\CData
	 */
	public function module() {
		return $this->module;
	}

	/**
	 * Whether a store still exists (close() deletes every store).
	 *
	 * @param int $id A store id from new_store().
	 * @return bool
	 */
	public function has_store( $id ) {
		return isset( $this->stores[ $id ] );
	}

	/**
	 * Deletes a store (idempotent).
	 *
	 * @param int $id A store id from new_store().
	 */
	public function delete_store( $id ) {
		if ( isset( $this->stores[ $id ] ) ) {
			$this->ffi->wasmtime_store_delete( $this->stores[ $id ] );
			unset( $this->stores[ $id ] );
		}
	}

	/**
	 * The message of a wasmtime_error_t, which is then freed.
	 *
	 * @param FFI\CData $error A wasmtime_error_t*.
	 * @return string
	 */
	public function error_text( $error ) {
		$message = $this->ffi->new( 'wasm_byte_vec_t' );
		$this->ffi->wasmtime_error_message( $error, FFI::addr( $message ) );
		$text = FFI::string( $message->data, $message->size );
		$this->ffi->wasm_byte_vec_delete( FFI::addr( $message ) );
		$this->ffi->wasmtime_error_delete( $error );
		return $text;
	}

	/**
	 * The message of a wasm_trap_t, which is then freed.
	 *
	 * @param FFI\CData $trap A wasm_trap_t*.
	 * @return string
	 */
	public function trap_text( $trap ) {
		$message = $this->ffi->new( 'wasm_byte_vec_t' );
		$this->ffi->wasm_trap_message( $trap, FFI::addr( $message ) );
		$text = FFI::string( $message->data, $message->size );
		$this->ffi->wasm_byte_vec_delete( FFI::addr( $message ) );
		$this->ffi->wasm_trap_delete( $trap );
		return rtrim( $text, "\0" );
	}

	/**
	 * Tears down in the order Wasmtime requires: stores, then the module, then the engine.
	 * Idempotent: at shutdown, then again from the destructor.
	 */
	public function __destruct() {
		$this->close();
	}

	/**
	 * See __destruct(); public for the shutdown function of shared().
	 */
	public function close() {
		foreach ( array_keys( $this->stores ) as $id ) {
			$this->delete_store( $id );
		}
		if ( null !== $this->module && ! FFI::isNull( $this->module ) ) {
			$this->ffi->wasmtime_module_delete( $this->module );
		}
		$this->module = null;
		if ( null !== $this->engine && ! FFI::isNull( $this->engine ) ) {
			$this->ffi->wasm_engine_delete( $this->engine );
		}
		$this->engine = null;
	}
}
