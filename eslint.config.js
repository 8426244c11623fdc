// Lint every TypeScript source and test with the recommended rules of typescript-eslint.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

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
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
);
