import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DISABLED_PLUGINS, writeLabPageConfig } from './lab-page.js';

const withPrefix = (body: (prefix: string) => void): void => {
  const prefix = mkdtempSync(join(tmpdir(), 'lepton-lab-page-'));
  try {
    body(prefix);
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
};

test('the page config disables the news announcements in a fresh env', () => {
  withPrefix((prefix) => {
    const path = writeLabPageConfig(prefix);
    assert.equal(path, join(prefix, 'etc', 'jupyter', 'labconfig', 'page_config.json'));
    assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), { disabledExtensions: { [DISABLED_PLUGINS[0]]: true } });
  });
});

test('what the page config already held is kept', () => {
  withPrefix((prefix) => {
    const dir = join(prefix, 'etc', 'jupyter', 'labconfig');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'page_config.json'),
      JSON.stringify({ disabledExtensions: { 'my-plugin': true }, other: 1 }),
    );
    const config: unknown = JSON.parse(readFileSync(writeLabPageConfig(prefix), 'utf8'));
    assert.deepEqual(config, { disabledExtensions: { 'my-plugin': true, [DISABLED_PLUGINS[0]]: true }, other: 1 });
  });
});

test('the older list form of disabledExtensions keeps its plugins', () => {
  withPrefix((prefix) => {
    const dir = join(prefix, 'etc', 'jupyter', 'labconfig');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'page_config.json'), JSON.stringify({ disabledExtensions: ['my-plugin'] }));
    const config = JSON.parse(readFileSync(writeLabPageConfig(prefix), 'utf8')) as { disabledExtensions?: unknown };
    assert.deepEqual(config.disabledExtensions, { 'my-plugin': true, [DISABLED_PLUGINS[0]]: true });
  });
});

test('a broken page config is named with the fix, and left as it was', () => {
  withPrefix((prefix) => {
    const dir = join(prefix, 'etc', 'jupyter', 'labconfig');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'page_config.json'), '{ not json');
    assert.throws(
      () => writeLabPageConfig(prefix),
      /page_config\.json is not a JSON object: fix or delete it, then run `lepton setup` again/,
    );
    assert.equal(readFileSync(join(dir, 'page_config.json'), 'utf8'), '{ not json');
  });
});
