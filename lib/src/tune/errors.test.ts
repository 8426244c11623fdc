import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LeptonError } from '../core/errors.js';
import { parseStudyFile } from './format.js';
import { validateSpace } from './space.js';
import { objectiveFrom } from './trial.js';
import { tune } from './tune.js';
import { float } from './space.js';

/** The code of the LeptonError `run` throws (or its promise rejects with). */
async function codeOf(run: () => unknown): Promise<string> {
  try {
    await run();
  } catch (error) {
    assert.ok(error instanceof LeptonError, `expected a LeptonError, got ${String(error)}`);
    return (error as LeptonError).code;
  }
  assert.fail('expected an error');
}

test('tuning errors are LeptonErrors whose code names the kind of mistake', async () => {
  assert.equal(await codeOf(() => validateSpace({})), 'LEPTON_TUNE_BAD_SPACE');
  assert.equal(await codeOf(() => parseStudyFile('{ not json', 'study.json')), 'LEPTON_TUNE_STUDY_FILE');
  assert.equal(await codeOf(() => objectiveFrom({ loss: 1 }, 'val_acc')), 'LEPTON_TUNE_BAD_OBJECTIVE');
  const space = { lr: float(0.001, 0.1) };
  assert.equal(
    await codeOf(() =>
      tune(() => 'oops' as unknown as number, space, { live: false, objective: 'score', trials: 1, seed: 1 }),
    ),
    'LEPTON_TUNE_BAD_BUILD',
  );
  assert.equal(
    await codeOf(() => tune(() => 1, space, { live: false, objective: 'score', strategy: 'grid' as 'random' })),
    'LEPTON_TUNE_BAD_OPTION',
  );
});
