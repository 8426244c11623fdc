import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { scriptInterpreter, supportsExtension } from './jupyter-python.js';
import { parseInstallOptions } from './install.js';
import { pipPlacement } from './wheel.js';

describe('finding the Jupyter that lepton install targets', () => {
  it('reads the Python of a console script from its shebang', () => {
    assert.equal(
      scriptInterpreter('#!/home/ada/env/bin/python3\n# -*- coding: utf-8 -*-\nimport re\n'),
      '/home/ada/env/bin/python3',
    );
    assert.equal(scriptInterpreter('#! /usr/bin/python3.11\n'), '/usr/bin/python3.11');
  });

  it("reads it from pip's /bin/sh preamble when the path was too long for a shebang", () => {
    const head = `#!/bin/sh\n'''exec' "/very/long/path/to/env/bin/python" "$0" "$@"\n' '''\n# -*- coding: utf-8 -*-\n`;
    assert.equal(scriptInterpreter(head), '/very/long/path/to/env/bin/python');
  });

  it('finds no Python in a script that does not name one', () => {
    assert.equal(scriptInterpreter('#!/usr/bin/env bash\nexec jupyter-lab "$@"\n'), undefined);
    assert.equal(scriptInterpreter(''), undefined);
  });

  it('accepts JupyterLab 4.6 and later, and refuses older ones', () => {
    for (const version of ['4.6.0', '4.6.4', '4.7.0a1', '5.0.0'])
      assert.equal(supportsExtension(version), true, version);
    for (const version of ['4.5.9', '4.0.0', '3.6.8']) assert.equal(supportsExtension(version), false, version);
  });
});

describe('lepton install options', () => {
  it('read the target, --extension and --python in any order', () => {
    assert.deepEqual(parseInstallOptions([]), { target: { kind: 'user' }, extension: false });
    assert.deepEqual(parseInstallOptions(['--extension', '--sys-prefix', '--python', '/env/bin/python']), {
      target: { kind: 'sys-prefix' },
      extension: true,
      python: '/env/bin/python',
    });
    assert.deepEqual(parseInstallOptions(['--prefix', '/opt/env', '--extension']), {
      target: { kind: 'prefix', dir: '/opt/env' },
      extension: true,
    });
  });

  it('name the mistake in an unknown option or a --python without a path', () => {
    assert.throws(() => parseInstallOptions(['--extention']), /unknown option "--extention".*--extension/);
    assert.throws(() => parseInstallOptions(['--extension', '--python']), /--python needs the path of a Python/);
    assert.throws(() => parseInstallOptions(['--python', '--user']), /--python needs the path of a Python/);
  });

  it("install the wheel into a virtual env's own site for --user (such an env has no user site), else with pip --user", () => {
    const env = (isolated: boolean) => ({
      executable: '/env/bin/python',
      prefix: '/env',
      isolated,
      jupyterlab: '4.6.4',
    });
    assert.deepEqual(pipPlacement({ kind: 'user' }, env(true)).options, []);
    assert.deepEqual(pipPlacement({ kind: 'user' }, env(false)).options, ['--user']);
    assert.deepEqual(pipPlacement({ kind: 'sys-prefix' }, env(false)).options, []);
    assert.deepEqual(
      pipPlacement({ kind: 'prefix', dir: '/env' }, env(true)).options,
      [],
      'a --prefix that is the env itself',
    );
    assert.deepEqual(pipPlacement({ kind: 'prefix', dir: '/elsewhere' }, env(true)).options, [
      '--prefix',
      '/elsewhere',
    ]);
  });
});
