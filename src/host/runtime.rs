//! What a `no_std` WebAssembly module needs from us: an allocator and a panic handler.

/// Talc rather than dlmalloc (the allocator of Rust's own wasm32 standard library): a parse
/// allocates and frees a dozen small strings, and with Talc the npm module is 1.7 KiB gzip
/// smaller and its parse faster (bench/node, measured against the dlmalloc build).
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// No input can reach a panic (every error is a typed result); should one happen anyway,
/// trap cleanly so the host discards the instance, rather than pull in formatting code.
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}
