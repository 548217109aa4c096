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
 */
final class CasPay_Wasm_Engine implements CasPay_Engine {

	const EXPORTS = array(
		'memory',
		'caspay_abi_version',
		'caspay_input',
		'caspay_output_ptr',
		'caspay_output_len',
		'caspay_verify',
		'caspay_sign',
		'caspay_parse',
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
	 * @var FFI\CData
	 */
	private $context;

	/**
	 * Exports by name (wasmtime_extern_t, kept alive while pointers into them are used).
	 *
	 * @var FFI\CData[]
	 */
	private $exports = array();

	/**
	 * How many instances were replaced after a trap (for tests and diagnostics).
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
		$this->instantiate();
		$version = $this->call( 'caspay_abi_version', array() );
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
		return $this->runtime->details;
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
		$this->write_input( array( $body, $signature, $secret ) );
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
		$this->write_input( array( $body, $secret ) );
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
		$this->write_input( array( $body ) );
		$status = $this->call(
			'caspay_parse',
			array(
				strlen( $body ),
				min( $max_payload_bytes, 0xFFFFFFFF ),
				min( $max_depth, 0xFFFFFFFF ),
				array( null === $tolerance ? -1 : $tolerance ),
				array( $now ),
			)
		);
		$this->check( $status );
		// The core writes amounts, and every number json_decode could not give back exactly
		// (beyond 2^53, beyond the float range, negative zero), as strings, so decoding gives
		// the pure-PHP engine's values; both engines make `{}` and `[]` an empty array.
		$event = json_decode( $this->read_output(), true, min( $max_depth, 0x7FFFFFF0 ) + 8, JSON_BIGINT_AS_STRING );
		if ( ! is_array( $event ) ) {
			throw CasPay_Webhook_Exception::create( 'internal_error', 'the module returned an event that is not JSON: ' . json_last_error_msg() );
		}
		return $event;
	}

	/**
	 * Creates a fresh store and instance and looks up the exports.
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
			$this->runtime->delete_store( $this->store_id );
			throw new CasPay_Engine_Unavailable_Exception( 'Wasmtime could not instantiate the module: ' . $message );
		}
		$this->exports = array();
		foreach ( self::EXPORTS as $name ) {
			$extern = $this->ffi->new( 'wasmtime_extern_t' );
			$found  = $this->ffi->wasmtime_instance_export_get( $this->context, FFI::addr( $instance ), $name, strlen( $name ), FFI::addr( $extern ) );
			$kind   = 'memory' === $name ? 3 : 0;
			if ( ! $found || $extern->kind !== $kind ) {
				$this->runtime->delete_store( $this->store_id );
				throw new CasPay_Engine_Unavailable_Exception( sprintf( 'The WebAssembly module lacks the export %s; it is not the CasPay plain-ABI build.', $name ) );
			}
			$this->exports[ $name ] = $extern;
		}
	}

	/**
	 * Calls an export that returns one i32. Plain ints are i32 arguments, one-element
	 * arrays i64 ones.
	 *
	 * @param string $name Export name.
	 * @param array  $args Arguments.
	 * @return int The result, read as unsigned.
	 * @throws CasPay_Webhook_Exception With code internal_error after a trap.
	 */
	private function call( $name, array $args ) {
		$count = count( $args );
		$vals  = $count > 0 ? $this->ffi->new( "wasmtime_val_t[$count]" ) : null;
		foreach ( array_values( $args ) as $i => $arg ) {
			if ( is_array( $arg ) ) {
				$vals[ $i ]->kind    = 1; // WASMTIME_I64.
				$vals[ $i ]->of->i64 = (int) $arg[0];
			} else {
				$vals[ $i ]->kind    = 0; // WASMTIME_I32: u32 values travel as their two's complement.
				$vals[ $i ]->of->i32 = $arg > 0x7FFFFFFF ? $arg - 0x100000000 : $arg;
			}
		}
		$results = $this->ffi->new( 'wasmtime_val_t[1]' );
		$trap    = $this->ffi->new( 'wasm_trap_t*' );
		$error   = $this->ffi->wasmtime_func_call( $this->context, FFI::addr( $this->exports[ $name ]->of->func ), $vals, $count, $results, 1, FFI::addr( $trap ) );
		if ( null !== $error || ! FFI::isNull( $trap ) ) {
			$message = null !== $error ? $this->runtime->error_text( $error ) : $this->runtime->trap_text( $trap );
			$this->replace_instance();
			throw CasPay_Webhook_Exception::create( 'internal_error', sprintf( 'calling %1$s failed (%2$s); the instance was replaced', $name, $message ) );
		}
		return $results[0]->of->i32 & 0xFFFFFFFF;
	}

	/**
	 * Discards the trapped instance (its memory may be in any state) and creates a new one.
	 */
	private function replace_instance() {
		$this->runtime->delete_store( $this->store_id );
		$this->store_id = null;
		$this->exports  = array();
		++$this->replaced_instances;
		$this->instantiate();
	}

	/**
	 * The module's linear memory: base pointer and size. Fetched after every call because
	 * growth moves it (no address space is reserved ahead).
	 *
	 * @return array{0: FFI\CData, 1: int}
	 */
	private function memory() {
		$memory = FFI::addr( $this->exports['memory']->of->memory );
		return array(
			$this->ffi->wasmtime_memory_data( $this->context, $memory ),
			$this->ffi->wasmtime_memory_data_size( $this->context, $memory ),
		);
	}

	/**
	 * Writes the inputs back to back into the module's input buffer.
	 *
	 * @param string[] $parts Byte strings; the secret among them, kept out of stack traces.
	 * @throws CasPay_Webhook_Exception payload_too_large when the module cannot grow that far.
	 */
	private function write_input( #[\SensitiveParameter] array $parts ) {
		$total = array_sum( array_map( 'strlen', $parts ) );
		$addr  = $this->call( 'caspay_input', array( $total ) );
		if ( 0 === $addr ) {
			throw CasPay_Webhook_Exception::create( 'payload_too_large', 'the WebAssembly memory limit in bytes is', null, $this->runtime->memory_limit );
		}
		list( $base, $size ) = $this->memory();
		if ( $addr + $total > $size ) {
			throw CasPay_Webhook_Exception::create( 'internal_error', 'the module returned an input buffer outside its memory' );
		}
		foreach ( $parts as $part ) {
			$length = strlen( $part );
			if ( $length > 0 ) {
				FFI::memcpy( $base + $addr, $part, $length );
				$addr += $length;
			}
		}
	}

	/**
	 * The output of the last call, copied out of the module's memory.
	 *
	 * @return string
	 * @throws CasPay_Webhook_Exception internal_error when the module reports a range outside its memory.
	 */
	private function read_output() {
		$ptr    = $this->call( 'caspay_output_ptr', array() );
		$length = $this->call( 'caspay_output_len', array() );
		if ( 0 === $length ) {
			return '';
		}
		list( $base, $size ) = $this->memory();
		if ( $ptr + $length > $size ) {
			throw CasPay_Webhook_Exception::create( 'internal_error', 'the module returned an output outside its memory' );
		}
		return FFI::string( $base + $ptr, $length );
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
