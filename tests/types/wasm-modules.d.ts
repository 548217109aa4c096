// Workers bundlers hand `.wasm` imports over as compiled modules.
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
// Next.js (webpack and Turbopack) hands `.wasm?module` imports over as compiled modules in
// its edge runtime (src/edge-light.js).
declare module '*.wasm?module' {
  const module: WebAssembly.Module;
  export default module;
}
