import { test } from 'node:test';
import assert from 'node:assert/strict';
import ts from 'typescript';
import { createCommonJsEmit } from './commonjs-emit.js';

const transpileOptions = { fileName: 'custom.js', compilerOptions: { module: ts.ModuleKind.CommonJS } };

test("text the wrapped emit wrote passes tslab's conversion once, untouched; other text is transpiled", () => {
  const commonJs = createCommonJsEmit(ts);
  const written: string[] = [];
  const emit = commonJs.wrapEmit(
    (
      _file: unknown,
      write: (name: string, text: string) => void,
      _cancel: unknown,
      _dts: unknown,
      custom: { after: unknown[] },
    ) => {
      // The caller's transformer, then the loop checks, then the CommonJS transform.
      assert.equal(custom.after.length, 3, "the CommonJS transform runs after the caller's transformers");
      write('out/cell.js', 'exports.a = 1;');
      write('out/cell.d.ts', 'export declare const a = 1;');
    },
  );
  emit(undefined, (_name: string, text: string) => written.push(text), undefined, false, {
    after: [() => (node: unknown) => node],
  });
  assert.deepEqual(written, ['exports.a = 1;', 'export declare const a = 1;']);
  assert.equal(commonJs.transpileModule('exports.a = 1;', transpileOptions).outputText, 'exports.a = 1;');
  // Once only: the same text again (not from this emit) goes through TypeScript.
  assert.match(commonJs.transpileModule('export const b = 2;', transpileOptions).outputText, /exports\.b = 2/);
  assert.match(commonJs.transpileModule('exports.a = 1;', transpileOptions).outputText, /exports\.a = 1/);
});
