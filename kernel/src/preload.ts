import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/**
 * The names every cell sees without importing: `lepton`, `tf`, `aq` and `display`. Each module loads on first
 * use (a getter replaces itself with the module), so the kernel starts without loading TensorFlow.js.
 */
export function installPreloadedGlobals(): void {
  // The library loads TensorFlow.js: take it without its Node banner first.
  const library = () => {
    (require('@lepton/lib/tf') as typeof import('@lepton/lib/tf')).quietTf();
    return require('@lepton/lib') as typeof import('@lepton/lib');
  };
  const lib = require.resolve('@lepton/lib');
  const fromLib = createRequire(lib);
  const lazy: Record<string, () => unknown> = {
    lepton: library,
    tf: () => (require('@lepton/lib/tf') as typeof import('@lepton/lib/tf')).quietTf(),
    aq: (): unknown => fromLib('arquero'),
    display: () => library().display,
    input: () => library().input,
  };
  for (const [name, load] of Object.entries(lazy)) {
    Object.defineProperty(globalThis, name, {
      configurable: true,
      enumerable: false,
      get() {
        const value = load();
        Object.defineProperty(globalThis, name, { value, configurable: true, writable: true, enumerable: false });
        return value;
      },
      set(value) {
        Object.defineProperty(globalThis, name, { value, configurable: true, writable: true, enumerable: false });
      },
    });
  }
}

/**
 * The declaration files that give the preloaded names their types: `lepton`, `tf` and `aq` as UMD namespaces
 * (so cells can name their types too, `lepton.DataFrame`, `tf.Tensor`), `display` and `input` as globals.
 */
export function preloadedTypeFiles(): string[] {
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'types');
  return ['lepton.d.ts', 'tf.d.ts', 'aq.d.ts', 'globals.d.ts'].map((name) => join(dir, name));
}
