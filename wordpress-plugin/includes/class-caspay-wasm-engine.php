<?php
/**
 * The WebAssembly engine: the project's Rust core, run by Wasmtime through PHP FFI.
 *
 * @package CasPay_Webhooks
 */

defined( 'ABSPATH' ) || defined( 'CASPAY_WEBHOOKS_LIBRARY' ) || exit;

/**
 * Runs the same constant-time Rust code as every other host of the project, through the
 * plain ABI of src/host/ABI.md (module-owned input and output buffers, a status per call).
 *
 * One instance per object, created from the process-wide CasPay_Wasm_Runtime. No input
 * makes the module trap; if it ever does (a bug, or memory exhausted beyond the store
 * limit), the instance is discarded and replaced before the internal_error is thrown, so
 * the next call starts clean.
 *
 * Every FFI call and every FFI::new costs about as much as hashing a small body, so the
 * hot path makes few: argument and result values are allocated once per instance, the
 * memory's base address is only fetched again when its size changed (it moves only when it
 * grows), the input buffer is only requested again when a larger one is needed (ABI.md:
 * its address stays valid until the next caspay_input call) and the inputs are written
 * with one copy. A verify makes three FFI calls (memory size, copy, call); a delivery,
 * verified and parsed by caspay_construct_php, six (the same, then the size again, the
 * output's address and length read from memory, and the copy out), of which one is a
 * call into the module.
 *
 * The event comes in PHP's serialize() format (src/host/php_serialize.rs): unserialize()
 * builds the array json_decode() would build from the event's JSON in under half the time.
 */
final class CasPay_Wasm_Engine implements CasPay_Engine {

	/**
	 * The exports used, each function with its parameter types (i = i32, I = i64) as
	 * src/host/ABI.md declares them; all return one i32.
	 */
	const EXPORTS = array(
		'memory'               => null,
		'caspay_abi_version'   => '',
		'caspay_input'         => 'i',
		'caspay_output_span'   => '',
		'caspay_verify'        => 'iii',
		'caspay_sign'          => 'ii',
		'caspay_parse_php'     => 'iiiII',
		'caspay_construct_php' => 'iiiiiII',
	);

	/**
	 * The shared runtime.
	 *
	 * @var CasPay_Wasm_Runtime
	 */
	private $runtime;

	/**
	 * Shortcut to the runtime's FFI binding.
	 *
	 * @var FFI
	 */
	private $ffi;

	/**
	 * Current store id in the runtime.
	 *
	 * @var int|null
	 */
	private $store_id;

	/**
	 * The wasmtime_context_t* of the current store.
	 *
	 * @var FFI\CData|null
	 */
	private $context;

	/**
	 * Exports by name (wasmtime_extern_t, kept alive while pointers into them are used).
	 *
	 * @var FFI\CData[]
	 */
	private $exports = array();

	/**
	 * Per function: the wasmtime_func_t* into its export.
	 *
	 * @var FFI\CData[]
	 */
	private $funcs = array();

	/**
	 * Per function: its wasmtime_val_t[n] arguments, kinds set once (null without arguments).
	 *
	 * @var array<string, FFI\CData|null>
	 */
	private $args = array();

	/**
	 * Per function: the `of` union of each argument, written before each call.
	 *
	 * @var array<string, FFI\CData[]>
	 */
	private $arg_values = array();

	/**
	 * The wasmtime_val_t[1] every call returns its i32 into.
	 *
	 * @var FFI\CData
	 */
	private $results;

	/**
	 * The `of` union of the result.
	 *
	 * @var FFI\CData
	 */
	private $result;

	/**
	 * The wasm_trap_t* a call fills in when it traps (NULL otherwise).
	 *
	 * @var FFI\CData
	 */
	private $trap;

	/**
	 * Address of $trap, passed to every call.
	 *
	 * @var FFI\CData
	 */
	private $trap_addr;

	/**
	 * The wasmtime_memory_t* of the exported memory.
	 *
	 * @var FFI\CData|null
	 */
	private $memory;

	/**
	 * Base of the linear memory when it had $memory_size bytes.
	 *
	 * @var FFI\CData|null
	 */
	private $memory_base;

	/**
	 * Size of the linear memory when $memory_base was read; -1 forces a new read.
	 *
	 * @var int
	 */
	private $memory_size = -1;

	/**
	 * Address of the output span inside the linear memory: the output's address and length,
	 * two little-endian u32 the module keeps current after every call.
	 *
	 * @var int
	 */
	private $output_span_addr = 0;

	/**
	 * Address of the input buffer inside the linear memory (0: none requested yet).
	 *
	 * @var int
	 */
	private $input_addr = 0;

	/**
	 * Bytes the input buffer is known to hold (the largest length requested).
	 *
	 * @var int
	 */
	private $input_capacity = 0;

	/**
	 * Pointer to the input buffer, valid while the memory has $memory_size bytes.
	 *
	 * @var FFI\CData|null
	 */
	private $input_ptr;

	/**
	 * How long instantiating the module took for this object, in milliseconds.
	 *
	 * @var float
	 */
	private $instance_ms = 0.0;

	/**
	 * How many instances were discarded after a trap, each replaced by the next call (for
	 * tests and diagnostics).
	 *
	 * @var int
	 */
	public $replaced_instances = 0;

	/**
	 * Starts Wasmtime (or reuses this process's runtime) and instantiates the module.
	 *
	 * @param array $config See CasPay_Wasm_Runtime::shared().
	 * @throws CasPay_Engine_Unavailable_Exception When Wasmtime cannot run here.
	 */
	public function __construct( array $config = array() ) {
		$this->runtime = CasPay_Wasm_Runtime::shared( $config );
		$this->ffi     = $this->runtime->ffi;
		$started       = hrtime( true );
		$this->instantiate();
		$this->instance_ms = ( hrtime( true ) - $started ) / 1e6;
		$version = $this->call( 'caspay_abi_version' );
		if ( CasPay_Wasm_Runtime::ABI_VERSION !== $version ) {
			throw new CasPay_Engine_Unavailable_Exception( sprintf( 'The WebAssembly module speaks ABI version %1$d; this plugin knows version %2$d. Install matching plugin and module files.', $version, CasPay_Wasm_Runtime::ABI_VERSION ) );
		}
	}

	/**
	 * {@inheritDoc}
	 */
	public function name() {
		return 'wasm';
	}

	/**
	 * How the runtime was set up (library, module, cache), for the settings screen.
	 *
	 * @return array<string, string>
	 */
	public function details() {
		$setup = $this->setup_ms();
		return $this->runtime->details + array(
			'setup' => sprintf(
				'%1$.2f ms in this request (PHP keeps none of it for the next): Wasmtime bound through FFI %2$.2f, engine %3$.2f, module %4$.2f, instance %5$.2f',
				array_sum( $setup ),
				$setup['bind'],
				$setup['engine'],
				$setup['module'],
				$setup['instance']
			),
		);
	}

	/**
	 * What starting this engine took, in milliseconds: the runtime's steps (see
	 * CasPay_Wasm_Runtime::$setup_ms, shared by every engine object of the process) and
	 * this object's `instance`.
	 *
	 * @return array<string, float>
	 */
	public function setup_ms() {
		return $this->runtime->setup_ms + array( 'instance' => $this->instance_ms );
	}

	/**
	 * Whether the compiled module is cached between requests. When it is not, every
	 * request that starts the engine compiles the module again (see compile_ms()).
	 *
	 * @return bool
	 */
	public function cache_usable() {
		return $this->runtime->cache_usable;
	}

	/**
	 * How long compiling the module took in this process, in milliseconds, or null when
	 * it was loaded from the cache.
	 *
	 * @return float|null
	 */
	public function compile_ms() {
		return $this->runtime->compile_ms;
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string      $body      Raw body bytes.
	 * @param string|null $signature Header value.
	 * @param string      $secret    Secret bytes.
	 */
	public function verify_one( $body, $signature, #[\SensitiveParameter] $secret ) {
		$signature = (string) $signature;
		$this->write_input( $body . $signature . $secret );
		$status = $this->call( 'caspay_verify', array( strlen( $body ), strlen( $signature ), strlen( $secret ) ) );
		if ( 3 === $status ) {
			return false;
		}
		$this->check( $status );
		return true;
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $body   Raw body bytes.
	 * @param string $secret Secret bytes.
	 */
	public function sign( $body, #[\SensitiveParameter] $secret ) {
		$this->write_input( $body . $secret );
		$this->check( $this->call( 'caspay_sign', array( strlen( $body ), strlen( $secret ) ) ) );
		return $this->read_output();
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string   $body              Raw body bytes.
	 * @param int      $max_payload_bytes Size limit.
	 * @param int      $max_depth         Nesting limit.
	 * @param int|null $tolerance         Seconds, or null.
	 * @param int      $now               Unix seconds.
	 */
	public function parse( $body, $max_payload_bytes, $max_depth, $tolerance, $now ) {
		// The module would refuse it too, but only after the body was copied into its memory.
		if ( strlen( $body ) > $max_payload_bytes ) {
			throw CasPay_Webhook_Exception::create( 'payload_too_large', 'the limit in bytes is', null, $max_payload_bytes );
		}
		$this->write_input( $body );
		$status = $this->call( 'caspay_parse_php', array_merge( array( strlen( $body ) ), self::parse_options( $max_payload_bytes, $max_depth, $tolerance, $now ) ) );
		$this->check( $status );
		return $this->output_event( $max_depth );
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string      $body              Raw body bytes.
	 * @param string|null $signature         Header value.
	 * @param string      $secret            Secret bytes.
	 * @param int         $max_payload_bytes Size limit.
	 * @param int         $max_depth         Nesting limit.
	 * @param int|null    $tolerance         Seconds, or null.
	 * @param int         $now               Unix seconds.
	 */
	public function construct_one( $body, $signature, #[\SensitiveParameter] $secret, $max_payload_bytes, $max_depth, $tolerance, $now ) {
		$signature = (string) $signature;
		$this->write_input( $body . $signature . $secret );
		$status = $this->call(
			'caspay_construct_php',
			array_merge(
				array( strlen( $body ), strlen( $signature ), strlen( $secret ) ),
				self::parse_options( $max_payload_bytes, $max_depth, $tolerance, $now )
			)
		);
		if ( 3 === $status ) {
			return null;
		}
		$this->check( $status );
		return $this->output_event( $max_depth );
	}

	/**
	 * The parse options as caspay_parse_php and caspay_construct_php take them (ABI.md):
	 * limits as u32, no tolerance as -1.
	 *
	 * @param int      $max_payload_bytes Size limit.
	 * @param int      $max_depth         Nesting limit.
	 * @param int|null $tolerance         Seconds, or null.
	 * @param int      $now               Unix seconds.
	 * @return int[]
	 */
	private static function parse_options( $max_payload_bytes, $max_depth, $tolerance, $now ) {
		return array( min( $max_payload_bytes, 0xFFFFFFFF ), min( $max_depth, 0xFFFFFFFF ), null === $tolerance ? -1 : $tolerance, $now );
	}

	/**
	 * The event the last parse or construct wrote, decoded.
	 *
	 * @param int $max_depth The body's nesting limit.
	 * @return array
	 * @throws CasPay_Webhook_Exception internal_error when the output is not an event.
	 */
	private function output_event( $max_depth ) {
		// The module's own output, never request bytes: strings in it are length-prefixed, so
		// no body can shape its structure, and no class may be instantiated from it. The core
		// writes amounts, and every number PHP could not hold exactly, as strings, so the
		// values are the pure-PHP engine's; both engines make `{}` and `[]` an empty array.
		$event = unserialize( // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.serialize_unserialize -- see above.
			$this->read_output(),
			array(
				'allowed_classes' => false,
				'max_depth'       => min( $max_depth, 0x7FFFFFF0 ) + 8,
			)
		);
		if ( ! is_array( $event ) ) {
			throw CasPay_Webhook_Exception::create( 'internal_error', 'the module returned an event PHP could not read' );
		}
		return $event;
	}

	/**
	 * Creates a fresh store and instance, looks up the exports and allocates the values
	 * every call reuses.
	 *
	 * @throws CasPay_Engine_Unavailable_Exception When instantiation fails.
	 */
	private function instantiate() {
		list( $this->store_id, $store ) = $this->runtime->new_store();
		$this->context                  = $this->ffi->wasmtime_store_context( $store );
		$instance                       = $this->ffi->new( 'wasmtime_instance_t' );
		$trap                           = $this->ffi->new( 'wasm_trap_t*' );
		$error                          = $this->ffi->wasmtime_instance_new( $this->context, $this->runtime->module(), null, 0, FFI::addr( $instance ), FFI::addr( $trap ) );
		if ( null !== $error || ! FFI::isNull( $trap ) ) {
			$message = null !== $error ? $this->runtime->error_text( $error ) : $this->runtime->trap_text( $trap );
			$this->discard_instance();
			throw new CasPay_Engine_Unavailable_Exception( 'Wasmtime could not instantiate the module: ' . $message );
		}
		$this->exports    = array();
		$this->funcs      = array();
		$this->args       = array();
		$this->arg_values = array();
		foreach ( self::EXPORTS as $name => $params ) {
			$extern = $this->ffi->new( 'wasmtime_extern_t' );
			$found  = $this->ffi->wasmtime_instance_export_get( $this->context, FFI::addr( $instance ), $name, strlen( $name ), FFI::addr( $extern ) );
			$kind   = null === $params ? 3 : 0; // WASMTIME_EXTERN_MEMORY, WASMTIME_EXTERN_FUNC.
			if ( ! $found || $extern->kind !== $kind ) {
				$this->discard_instance();
				throw new CasPay_Engine_Unavailable_Exception( sprintf( 'The WebAssembly module lacks the export %s; it is not the CasPay plain-ABI build.', $name ) );
			}
			$this->exports[ $name ] = $extern;
			if ( null === $params ) {
				continue;
			}
			$this->funcs[ $name ]      = FFI::addr( $extern->of->func );
			$count                     = strlen( $params );
			$this->args[ $name ]       = $count > 0 ? $this->ffi->new( "wasmtime_val_t[$count]" ) : null;
			$this->arg_values[ $name ] = array();
			for ( $i = 0; $i < $count; $i++ ) {
				// Wasmtime checks these kinds against the function's type on every call.
				$this->args[ $name ][ $i ]->kind = 'I' === $params[ $i ] ? 1 : 0; // WASMTIME_I64, WASMTIME_I32.
				$this->arg_values[ $name ][]     = $this->args[ $name ][ $i ]->of;
			}
		}
		$this->results          = $this->ffi->new( 'wasmtime_val_t[1]' );
		$this->result           = $this->results[0]->of;
		$this->trap             = $this->ffi->new( 'wasm_trap_t*' );
		$this->trap_addr        = FFI::addr( $this->trap );
		$this->memory           = FFI::addr( $this->exports['memory']->of->memory );
		$this->memory_base      = null;
		$this->memory_size      = -1;
		$this->input_addr       = 0;
		$this->input_capacity   = 0;
		$this->input_ptr        = null;
		try {
			$this->output_span_addr = $this->call( 'caspay_output_span' );
		} catch ( CasPay_Webhook_Exception $e ) {
			throw new CasPay_Engine_Unavailable_Exception( 'The WebAssembly module failed on its first call: ' . $e->getMessage() );
		}
	}

	/**
	 * Calls an export that returns one i32, with the parameter types of self::EXPORTS.
	 *
	 * @param string $name Export name.
	 * @param int[]  $args Arguments; i32 ones may be given as unsigned 32-bit values.
	 * @return int The result, read as unsigned.
	 * @throws CasPay_Webhook_Exception With code internal_error after a trap.
	 */
	private function call( $name, array $args = array() ) {
		$this->invoke( $name, $args );
		return $this->result->i32 & 0xFFFFFFFF;
	}

	/**
	 * Calls an export, leaving its result in $this->result.
	 *
	 * @param string $name Export name.
	 * @param int[]  $args Arguments, as for call().
	 * @throws CasPay_Webhook_Exception With code internal_error after a trap.
	 */
	private function invoke( $name, array $args ) {
		if ( null === $this->store_id || ! $this->runtime->has_store( $this->store_id ) ) {
			// The instance was discarded after a trap (or deleted with the runtime at
			// shutdown); a failure to make a new one is this call's error, and the next call
			// tries again.
			$this->discard_instance();
			try {
				$this->instantiate();
			} catch ( CasPay_Engine_Unavailable_Exception $e ) {
				throw CasPay_Webhook_Exception::create( 'internal_error', 'a fresh WebAssembly instance could not be made: ' . $e->getMessage() );
			}
		}
		foreach ( $args as $i => $arg ) {
			if ( 'I' === self::EXPORTS[ $name ][ $i ] ) {
				$this->arg_values[ $name ][ $i ]->i64 = $arg;
			} else {
				// u32 values travel as their two's complement.
				$this->arg_values[ $name ][ $i ]->i32 = $arg > 0x7FFFFFFF ? $arg - 0x100000000 : $arg;
			}
		}
		$error = $this->ffi->wasmtime_func_call( $this->context, $this->funcs[ $name ], $this->args[ $name ], count( $args ), $this->results, 1, $this->trap_addr );
		if ( null !== $error || ! FFI::isNull( $this->trap ) ) {
			$message = null !== $error ? $this->runtime->error_text( $error ) : $this->runtime->trap_text( $this->trap );
			$this->discard_instance();
			++$this->replaced_instances;
			throw CasPay_Webhook_Exception::create( 'internal_error', sprintf( 'calling %1$s failed (%2$s); the instance was replaced', $name, $message ) );
		}
	}

	/**
	 * Forgets the instance (after a trap its memory may be in any state) and everything that
	 * points into it; the next call makes a new one. Making it here instead could fail with
	 * dangling pointers left, or trap again and recurse.
	 */
	private function discard_instance() {
		if ( null !== $this->store_id ) {
			$this->runtime->delete_store( $this->store_id );
		}
		$this->store_id       = null;
		$this->context        = null;
		$this->exports        = array();
		$this->funcs          = array();
		$this->memory         = null;
		$this->memory_base    = null;
		$this->memory_size    = -1;
		$this->input_addr     = 0;
		$this->input_capacity = 0;
		$this->input_ptr      = null;
	}

	/**
	 * Makes $memory_base and $memory_size current: the size is read before every access
	 * (any call may have grown the memory), the base only when the size changed, since
	 * only growth can move the memory.
	 */
	private function refresh_memory() {
		$size = $this->ffi->wasmtime_memory_data_size( $this->context, $this->memory );
		if ( $size !== $this->memory_size ) {
			$this->memory_base = $this->ffi->wasmtime_memory_data( $this->context, $this->memory );
			$this->memory_size = $size;
			$this->input_ptr   = null;
		}
	}

	/**
	 * Writes the inputs, already joined back to back, into the module's input buffer.
	 *
	 * @param string $bytes The inputs; the secret among them, kept out of stack traces.
	 * @throws CasPay_Webhook_Exception payload_too_large when the module cannot grow that far.
	 */
	private function write_input( #[\SensitiveParameter] $bytes ) {
		$total = strlen( $bytes );
		if ( $total > 0xFFFFFFFF ) {
			// The module's lengths are 32-bit: a larger count would wrap.
			throw CasPay_Webhook_Exception::create( 'payload_too_large', 'the WebAssembly memory limit in bytes is', null, $this->runtime->memory_limit );
		}
		if ( $total > $this->input_capacity || 0 === $this->input_addr ) {
			$addr = $this->call( 'caspay_input', array( $total ) );
			if ( 0 === $addr ) {
				throw CasPay_Webhook_Exception::create( 'payload_too_large', 'the WebAssembly memory limit in bytes is', null, $this->runtime->memory_limit );
			}
			$this->input_addr     = $addr;
			$this->input_capacity = $total;
			$this->input_ptr      = null;
		}
		$this->refresh_memory();
		if ( $this->input_addr + $total > $this->memory_size ) {
			throw CasPay_Webhook_Exception::create( 'internal_error', 'the module returned an input buffer outside its memory' );
		}
		if ( $total > 0 ) {
			if ( null === $this->input_ptr ) {
				$this->input_ptr = $this->memory_base + $this->input_addr;
			}
			FFI::memcpy( $this->input_ptr, $bytes, $total );
		}
	}

	/**
	 * The output of the last call, copied out of the module's memory.
	 *
	 * @return string
	 * @throws CasPay_Webhook_Exception internal_error when the module reports a range outside its memory.
	 */
	private function read_output() {
		$this->refresh_memory();
		if ( $this->output_span_addr + 8 > $this->memory_size ) {
			throw CasPay_Webhook_Exception::create( 'internal_error', 'the module returned an output span outside its memory' );
		}
		list( , $ptr, $length ) = unpack( 'V2', FFI::string( $this->memory_base + $this->output_span_addr, 8 ) );
		if ( 0 === $length ) {
			return '';
		}
		if ( $ptr + $length > $this->memory_size ) {
			throw CasPay_Webhook_Exception::create( 'internal_error', 'the module returned an output outside its memory' );
		}
		return FFI::string( $this->memory_base + $ptr, $length );
	}

	/**
	 * Throws the module's error for a non-zero status.
	 *
	 * @param int $status ABI status.
	 * @throws CasPay_Webhook_Exception For any status but 0.
	 */
	private function check( $status ) {
		if ( 0 === $status ) {
			return;
		}
		$error = json_decode( $this->read_output(), true );
		$code  = CasPay_Webhook_Exception::code_for_status( $status );
		if ( ! is_array( $error ) || ! isset( $error['message'] ) ) {
			throw CasPay_Webhook_Exception::create( $code );
		}
		throw new CasPay_Webhook_Exception(
			isset( $error['code'] ) && is_string( $error['code'] ) ? $error['code'] : $code,
			(string) $error['message'],
			isset( $error['field'] ) ? (string) $error['field'] : null,
			isset( $error['position'] ) ? (int) $error['position'] : null
		);
	}

	/**
	 * Frees this object's store; the runtime (engine, module) stays for the next object.
	 */
	public function __destruct() {
		if ( null !== $this->store_id ) {
			$this->runtime->delete_store( $this->store_id );
		}
	}
}
