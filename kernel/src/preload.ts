import { createRequire } from 'node:module';
import { dirname } from 'node:path';

const require = createRequire(import.meta.url);

/** Where each preloaded module's types are, as absolute paths (cells may run in any folder). */
function typePaths() {
  const lib = require.resolve('@lepton/lib');
  const fromLib = createRequire(lib);
  return {
    lib: lib.replace(/\.js$/, ''),
    tf: dirname(fromLib.resolve('@tensorflow/tfjs/package.json')),
    aq: dirname(fromLib.resolve('arquero/package.json')),
  };
}

/**
 * The names every cell sees without importing: `lepton`, `tf`, `aq` and `display`. Each module loads on first
 * use (a getter replaces itself with the module), so the kernel starts without loading TensorFlow.js.
 */
export function installPreloadedGlobals(): void {
  const lib = require.resolve('@lepton/lib');
  const fromLib = createRequire(lib);
  const lazy: Record<string, () => unknown> = {
    lepton: () => require('@lepton/lib'),
    tf: () => fromLib('@tensorflow/tfjs'),
    aq: () => fromLib('arquero'),
    display: () => (require('@lepton/lib') as typeof import('@lepton/lib')).display,
    input: () => (require('@lepton/lib') as typeof import('@lepton/lib')).input,
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

/** The TypeScript declarations of the preloaded names, added to the compiler as a module. */
export function preloadedDeclarations(): string {
  const paths = typePaths();
  return [
    `import type * as LeptonLibrary from ${JSON.stringify(paths.lib)};`,
    `import type * as TensorFlow from ${JSON.stringify(paths.tf)};`,
    `import type * as Arquero from ${JSON.stringify(paths.aq)};`,
    'declare global {',
    '  /** The Lepton library: data, plots, training, compression, export and deployment. */',
    '  const lepton: typeof LeptonLibrary;',
    '  /** TensorFlow.js. */',
    '  const tf: typeof TensorFlow;',
    '  /** Arquero, the dataframe engine under Lepton\'s DataFrame. */',
    '  const aq: typeof Arquero;',
    '  /** Displays any value as a cell output; `display.update(id, value)` updates it in place. */',
    '  const display: LeptonLibrary.Display;',
    '  /** Asks the notebook user for a line of text. */',
    '  const input: typeof LeptonLibrary.input;',
    '}',
  ].join('\n');
}
