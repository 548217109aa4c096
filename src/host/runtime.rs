//! What a `no_std` WebAssembly module needs from us: an allocator and a panic handler.

/// dlmalloc is the allocator Rust's own wasm32 standard library uses, and needs no imports.
#[global_allocator]
static ALLOCATOR: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;

/// No input can reach a panic (every error is a typed result); should one happen anyway,
/// trap cleanly so the host discards the instance, rather than pull in formatting code.
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}
