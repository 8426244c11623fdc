import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allowOnePendingTimer } from './single-timer.js';
import { tslabLikeSystem } from './testing.js';

test('a second timer runs the pending one first instead of throwing', () => {
  const system = tslabLikeSystem();
  allowOnePendingTimer(system);
  const ran: string[] = [];
  system.setTimeout!(() => ran.push('invalidate resolutions'), 250);
  system.setTimeout!(() => ran.push('update program'), 250);
  assert.deepEqual(ran, ['invalidate resolutions']);
  system.runPending();
  assert.deepEqual(ran, ['invalidate resolutions', 'update program']);
});

test('a timer that ran or was cleared is no longer pending', () => {
  const system = tslabLikeSystem();
  allowOnePendingTimer(system);
  const ran: string[] = [];
  const handle = system.setTimeout!(() => ran.push('first'), 250);
  system.clearTimeout!(handle);
  system.setTimeout!(() => ran.push('second'), 250);
  system.runPending();
  system.setTimeout!(() => ran.push('third'), 250);
  system.runPending();
  assert.deepEqual(ran, ['second', 'third']);
});

test('a pending timer that schedules another while it runs early is handled', () => {
  const system = tslabLikeSystem();
  allowOnePendingTimer(system);
  const ran: string[] = [];
  system.setTimeout!(() => {
    ran.push('invalidate');
    system.setTimeout!(() => ran.push('update from invalidate'), 250);
  }, 250);
  system.setTimeout!(() => ran.push('update'), 250);
  system.runPending();
  assert.deepEqual(ran, ['invalidate', 'update from invalidate', 'update']);
});
