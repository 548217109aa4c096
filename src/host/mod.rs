//! Host layers: WebAssembly exports over the plain-Rust core. They only move bytes across
//! the boundary; every decision is made by the core.

mod workspace;

#[cfg(feature = "abi")]
mod abi;
#[cfg(feature = "js")]
mod js;
#[cfg(feature = "abi")]
mod last_secret;
#[cfg(feature = "abi")]
mod php_serialize;
#[cfg(feature = "js")]
mod record;
#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
mod runtime;
