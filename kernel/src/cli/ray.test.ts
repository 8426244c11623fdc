import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ray } from './ray.js';

/** Runs `lepton ray …` with console.error captured; returns the exit code and what it printed. */
async function run(args: string[]): Promise<{ code: number; printed: string }> {
  const printed: string[] = [];
  const original = console.error;
  console.error = (...parts: unknown[]) => void printed.push(parts.join(' '));
  try {
    return { code: await ray(args), printed: printed.join('\n') };
  } finally {
    console.error = original;
  }
}

test('lepton ray start refuses a port that is not a number, naming the flag, before installing anything', async () => {
  const { code, printed } = await run(['start', '--port', 'abc']);
  assert.equal(code, 2);
  assert.match(printed, /--port needs a number, got "abc"/);
});

test('lepton ray start refuses an unknown option and lepton ray an unknown action, with the usage', async () => {
  const unknown = await run(['start', '--dashboard', '1']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.printed, /unknown option "--dashboard"/);
  const action = await run(['restart']);
  assert.equal(action.code, 2);
  assert.match(action.printed, /Usage: lepton ray start/);
});
