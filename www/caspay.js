// The package's browser build, loaded and ready: the bundle entry for the playground.
// esbuild does not follow `new URL('…wasm', import.meta.url)` inside a package, so the
// `.wasm` is imported through the package's exports (the `file` loader emits it next to
// the bundle and gives its URL) and handed to `init` explicitly.
import wasmUrl from 'caspay-webhooks/caspay_webhooks_bg.wasm';
import { init } from 'caspay-webhooks';

await init(new URL(wasmUrl, import.meta.url));

export * from 'caspay-webhooks';
