// Runs a wasm32-wasip1 program under Node's WASI (V8, the engine workerd runs wasm in), with
// the program's arguments and one directory made visible. Imports the program does not need
// at run time (wasm-bindgen's, linked in by the worker shell) are stubbed to throw if called.
// node scripts/lib/wasi-run.mjs PROGRAM.wasm DIR [ARGS...]
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';

const [program, dir, ...args] = process.argv.slice(2);
const wasi = new WASI({ version: 'preview1', args: [program, dir, ...args], preopens: { [dir]: dir } });
const module = await WebAssembly.compile(await readFile(program));
const imports = { wasi_snapshot_preview1: wasi.wasiImport };
for (const { module: from, name, kind } of WebAssembly.Module.imports(module)) {
  if (from === 'wasi_snapshot_preview1' || kind !== 'function') continue;
  imports[from] ??= {};
  imports[from][name] = () => { throw new Error(`${from}.${name} is not available here`); };
}
const instance = await WebAssembly.instantiate(module, imports);
wasi.start(instance);
