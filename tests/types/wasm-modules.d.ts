// Workers bundlers hand `.wasm` imports over as compiled modules.
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
