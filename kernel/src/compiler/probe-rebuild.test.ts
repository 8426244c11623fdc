import { test } from 'node:test';
import assert from 'node:assert/strict';
import { skipProbeRebuilds } from './probe-rebuild.js';
import type { TimerSystem } from './single-timer.js';
import { tslabLikeSystem } from './testing.js';

/** Schedules like TypeScript's watch program: one update timer, cleared before the next is set. */
function watchProgram(system: TimerSystem, ran: string[]) {
  let timer: unknown;
  function updateProgramWithWatchStatus() {
    timer = undefined;
    ran.push('update');
  }
  return {
    fileChanged() {
      if (timer) system.clearTimeout!(timer);
      timer = system.setTimeout!(updateProgramWithWatchStatus, 250);
    },
  };
}

test('armed program updates that the answer covers are skipped, each asked with its index', () => {
  const system = tslabLikeSystem();
  const ran: string[] = [];
  const probes = skipProbeRebuilds(system, (index) => (ran.push(`asked ${index}`), index === 0));
  const program = watchProgram(system, ran);
  probes.arm();
  program.fileChanged();
  system.runPending();
  program.fileChanged();
  system.runPending();
  probes.disarm();
  probes.arm();
  program.fileChanged();
  system.runPending();
  assert.deepEqual(ran, ['asked 0', 'asked 1', 'update', 'asked 0']);
});

test('an update the answer declines runs as usual', () => {
  const system = tslabLikeSystem();
  const ran: string[] = [];
  const probes = skipProbeRebuilds(system, () => (ran.push('declined'), false));
  const program = watchProgram(system, ran);
  probes.arm();
  program.fileChanged();
  system.runPending();
  assert.deepEqual(ran, ['declined', 'update']);
});

test('without arming, or once disarmed, every update runs', () => {
  const system = tslabLikeSystem();
  const ran: string[] = [];
  const probes = skipProbeRebuilds(system, () => (ran.push('answered'), true));
  const program = watchProgram(system, ran);
  program.fileChanged();
  system.runPending();
  probes.arm();
  probes.disarm();
  program.fileChanged();
  system.runPending();
  assert.deepEqual(ran, ['update', 'update']);
});

test('other timers (resolution invalidation) are never skipped', () => {
  const system = tslabLikeSystem();
  const ran: string[] = [];
  const probes = skipProbeRebuilds(system, () => (ran.push('answered'), true));
  probes.arm();
  system.setTimeout!(function invalidateResolutionsOfFailedLookup() {
    ran.push('invalidate');
  }, 250);
  system.runPending();
  assert.deepEqual(ran, ['invalidate']);
});
