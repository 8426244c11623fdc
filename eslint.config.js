// Lint every TypeScript source and test with typescript-eslint's strictTypeChecked rules (issue 18), with the
// reasoned settings below; JavaScript files (scripts, this file) get the recommended rules without type information.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/**
 * Every package's TypeScript sources and tests. kernel/types (the cells' ambient declarations, compiled into each
 * cell's program rather than by a tsconfig project) has no project to give type information, so it keeps the
 * recommended rules.
 */
const TYPESCRIPT = ['*/src/**/*.ts'];

/** Restricts a shared config block to TypeScript files, where type information exists. */
const typescriptOnly = (config) => ({ ...config, files: TYPESCRIPT });

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '.venv/**',
      '.venv-tflite/**',
      '.venv-ray/**',
      'extension/labextension/**',
      'test-output/**',
      'docs/api/**',
      'lib/src/export/tflite/generated/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
  },
  // The JupyterLab extension runs in the browser.
  { files: ['extension/src/**/*.ts'], languageOptions: { globals: { ...globals.browser } } },
  // JavaScript files: unused arguments named with a leading underscore are intended.
  { rules: { '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }] } },
  ...tseslint.configs.strictTypeChecked.map(typescriptOnly),
  typescriptOnly({
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Destructuring with a rest is how the code leaves keys out of a copy (`const { deadline, ...kept } = o`).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // The index flag (noUncheckedIndexedAccess) is on, so hot loops say `xs[i]!` where the bound is checked by the
      // loop itself; forbidding `!` would mean a runtime check per element or a cast that says less.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Numbers and booleans print unambiguously in messages; objects, undefined and null still need a choice.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // `() => f()` is the codebase's idiom for callbacks (assert.throws, forEach, after, finally); the rule's worry,
      // a void result used as a value, does not arise in an arrow's shorthand body. Other positions stay checked.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // node:test's test()/describe() promises are awaited by the runner itself.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] },
          ],
        },
      ],
    },
  }),
);
