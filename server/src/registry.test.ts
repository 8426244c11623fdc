import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { ModelMeta } from './meta.js';
import { Registry } from './registry.js';
import { tempHome } from './testing.js';

const meta = (): Omit<ModelMeta, 'name' | 'version'> => ({
  format: 1,
  inputs: [],
  outputs: [],
  transforms: [{ kind: 'standardScaler', version: 1, config: {}, state: null }],
  metrics: { accuracy: 0.5 },
  description: '',
  alerts: {},
  batching: { maxBatch: 8, maxDelayMs: 0, maxQueue: 16, timeoutMs: 1000 },
  sha256: '',
  bytes: 3,
  createdAt: new Date(0).toISOString(),
});

describe('the registry', () => {
  const home = tempHome();
  after(() => {
    rmSync(home, { recursive: true, force: true });
  });

  it('numbers versions and keeps them all, with metadata round-tripped', () => {
    const registry = new Registry(join(home, 'models'));
    assert.equal(registry.addVersion('m', new Uint8Array([1, 2, 3]), meta()).version, '1');
    assert.equal(registry.addVersion('m', new Uint8Array([4]), meta()).version, '2');
    assert.deepEqual(registry.versions('m'), ['1', '2']);
    assert.deepEqual(registry.meta('m', '1'), { ...meta(), name: 'm', version: '1' });
    assert.throws(() => registry.meta('m', '3'), { code: 'LEPTON_UNKNOWN_VERSION' });
    registry.setState('m', { active: '1', running: true });
    assert.equal(registry.state('m')?.active, '1');
  });

  it('never shows a half-written version, and sweeps what a crash left', () => {
    const registry = new Registry(join(home, 'models'));
    // What a crash mid-deploy leaves: a staging folder with a partial model and no meta, and a torn temp file.
    mkdirSync(join(home, 'models', 'm', '.staging-1-dead'));
    writeFileSync(join(home, 'models', 'm', '.staging-1-dead', 'model.onnx'), 'partial');
    writeFileSync(join(home, 'models', 'm', '.state.json.1.ab.tmp'), '{"act');
    assert.deepEqual(registry.versions('m'), ['1', '2']);
    assert.equal(registry.addVersion('m', new Uint8Array([5]), meta()).version, '3');
    assert.equal(registry.sweep(), 2);
    assert.deepEqual(readdirSync(join(home, 'models', 'm')).sort(), ['1', '2', '3', 'state.json']);
  });

  it('refuses names that are not plain folder names', () => {
    const registry = new Registry(join(home, 'models'));
    for (const name of ['../x', '.hidden', 'a/b', '', 'x'.repeat(65)]) {
      assert.throws(() => registry.addVersion(name, new Uint8Array([1]), meta()), { code: 'LEPTON_BAD_NAME' }, name);
    }
    assert.equal(existsSync(join(home, 'x')), false);
  });
});
