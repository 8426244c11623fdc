// Where a model runs: a model cheaper than a thread hop runs in the server's thread, others on workers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InlineRunner, loadRunner, WorkerRunner } from './runner.js';
import { fixture, slowModel, wireModel } from './testing.js';

describe('loadRunner', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lepton-runner-'));
  const write = (name: string, bytes: Buffer) => {
    const path = join(dir, `${name}.onnx`);
    writeFileSync(path, bytes);
    return path;
  };

  it('times a batch-1 run of a model on zeros, and cannot for string inputs', async () => {
    const mlp = await InlineRunner.load(write('mlp', fixture('mlp')));
    const ms = await mlp.batchOneMs();
    assert.ok(ms !== undefined && Number.isFinite(ms) && ms > 0);
    await mlp.close();
    const wire = await InlineRunner.load(write('wire', wireModel()));
    assert.equal(await wire.batchOneMs(), undefined);
    await wire.close();
  });

  it('puts a model whose run costs far more than a thread hop on the workers, and runs inline with 0 workers', async () => {
    // 1024 × 1024 × 16 multiply-adds per row: milliseconds, never under the inline threshold.
    const path = write('slow', slowModel(1024, 16));
    const pooled = await loadRunner(path, 1);
    assert.ok(pooled instanceof WorkerRunner);
    await pooled.close();
    const inline = await loadRunner(path, 0);
    assert.ok(inline instanceof InlineRunner);
    await inline.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
