import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { MAX_CHART_POINTS, REFRESH_INTERVAL_S, panelSettings, trainingSettings, type NumberRange } from './settings.js';

/** A property of one of the extension's settings schemas (`extension/schema/NAME.json`). */
function schemaProperty(name: string, property: string): Record<string, unknown> {
  // Tests run from extension/dist/settings; the schemas sit in extension/schema.
  const schema = JSON.parse(readFileSync(new URL(`../../schema/${name}.json`, import.meta.url), 'utf8')) as {
    properties: Record<string, Record<string, unknown>>;
  };
  return schema.properties[property]!;
}

describe('the extension settings', () => {
  for (const [name, property, range] of [
    ['deployments-panel', 'refreshInterval', REFRESH_INTERVAL_S],
    ['training', 'maxPoints', MAX_CHART_POINTS],
  ] as [string, string, NumberRange][]) {
    it(`declare ${property} in schema/${name}.json with the limits and default the reader applies`, () => {
      const declared = schemaProperty(name, property);
      assert.deepEqual({ minimum: declared.minimum, maximum: declared.maximum, default: declared.default }, range);
    });
  }

  it('read the panel refresh interval in seconds into milliseconds', () => {
    assert.deepEqual(panelSettings({ refreshInterval: 10 }), { refreshMs: 10_000 });
    assert.deepEqual(panelSettings({ refreshInterval: 0.75 }), { refreshMs: 750 });
  });

  it('fall back to the defaults for a missing composite, a missing field or a value that is not a number', () => {
    for (const composite of [undefined, null, {}, { refreshInterval: '5' }, { refreshInterval: Number.NaN }]) {
      assert.deepEqual(panelSettings(composite), { refreshMs: 2000 }, JSON.stringify(composite));
    }
    for (const composite of [undefined, {}, { maxPoints: null }, { maxPoints: Infinity }]) {
      assert.deepEqual(trainingSettings(composite), { maxPoints: 800 }, JSON.stringify(composite));
    }
  });

  it('clamp out-of-range values to the schema limits and round the point cap to a whole number', () => {
    assert.deepEqual(panelSettings({ refreshInterval: 0 }), { refreshMs: 500 });
    assert.deepEqual(panelSettings({ refreshInterval: 1e9 }), { refreshMs: 3_600_000 });
    assert.deepEqual(trainingSettings({ maxPoints: 5 }), { maxPoints: 100 });
    assert.deepEqual(trainingSettings({ maxPoints: 1e7 }), { maxPoints: 100_000 });
    assert.deepEqual(trainingSettings({ maxPoints: 250.4 }), { maxPoints: 250 });
  });
});
