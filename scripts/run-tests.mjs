#!/usr/bin/env node
// Runs the compiled tests: every `*.test.js` under the folders (or files) given, default all of the project's,
// through `node --test --test-concurrency=1`; options (`--test-name-pattern=...`) are passed on.
// Why a script: Node 20 reads `node --test DIR` as "search DIR", Node 22 reads its arguments as globs and runs DIR
// itself as a file (zero tests, green). Naming the files works on both.
//
// With `LEPTON_TEST_LANES=2` the full run (no folders given) uses two lanes side by side: the tutorials and the Ray
// cluster in one, every other test in the other. Not the default yet: with the notebooks lane beside them, the
// browser tests lost keyboard focus now and then (a palette that closed, a Ctrl+S that missed the notebook).
// Why lanes at all: most of a test's wall time is one busy core (a kernel training in wasm, a browser
// rendering, a server answering) while the other waits, so two lanes finish the suite in about half the time on
// the 2-core CI machine. The notebooks and Ray share a lane because each starts a Ray cluster of its own and two at
// once would only compete for memory. By default everything runs in one lane, in order.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const DEFAULT_ROOTS = ['lib/dist', 'kernel/dist', 'server/dist', 'extension/dist', 'test/dist'];
/** The folders of the default run's second lane: long, mostly single-core work that needs no other test. */
const SECOND_LANE = ['test/dist/notebooks', 'test/dist/ray'];

/** Every `*.test.js` under `path`, sorted, `node_modules` left out. */
function testFiles(path) {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => {
      const full = join(path, entry.name);
      if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : testFiles(full);
      return entry.name.endsWith('.test.js') ? [full] : [];
    });
}

/** `node --test` over `files`, one file at a time. */
function testArgs(options, files) {
  return ['--test', '--test-concurrency=1', ...options, ...files];
}

const args = process.argv.slice(2);
const options = args.filter((arg) => arg.startsWith('--'));
const roots = args.filter((arg) => !arg.startsWith('--'));
const files = (roots.length ? roots : DEFAULT_ROOTS).flatMap(testFiles);
if (files.length === 0) {
  console.error(
    `No *.test.js files under ${(roots.length ? roots : DEFAULT_ROOTS).join(', ')}: run \`npm run build\` first.`,
  );
  process.exit(1);
}

const inSecondLane = (file) => SECOND_LANE.some((folder) => file.startsWith(folder + '/'));
const secondLane = roots.length === 0 && process.env.LEPTON_TEST_LANES === '2' ? files.filter(inSecondLane) : [];
if (secondLane.length === 0) {
  const run = spawnSync(process.execPath, testArgs(options, files), { stdio: 'inherit' });
  process.exit(run.status ?? 1);
}

/**
 * Runs the two lanes at once. The first lane prints as it goes; the second lane's output is held and printed
 * whole when both are done, so that neither log is interleaved with the other.
 */
async function runLanes() {
  const started = Date.now();
  const first = spawn(
    process.execPath,
    testArgs(
      options,
      files.filter((file) => !inSecondLane(file)),
    ),
    {
      stdio: 'inherit',
    },
  );
  const second = spawn(process.execPath, testArgs(options, secondLane), { stdio: ['ignore', 'pipe', 'pipe'] });
  const held = [];
  second.stdout.on('data', (chunk) => held.push(chunk));
  second.stderr.on('data', (chunk) => held.push(chunk));
  const exit = (child) =>
    new Promise((resolve) => child.on('close', (code, signal) => resolve(signal ? 1 : (code ?? 1))));
  // Ctrl+C reaches both children through the process group; a `kill` of this script must stop them too.
  for (const signal of ['SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      first.kill(signal);
      second.kill(signal);
    });
  }
  const [firstCode, secondCode] = await Promise.all([exit(first), exit(second)]);
  process.stdout.write(`\n# ---- second lane: ${SECOND_LANE.join(', ')} ----\n`);
  process.stdout.write(Buffer.concat(held));
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  process.stdout.write(
    `\n# lanes: first ${firstCode === 0 ? 'passed' : 'FAILED'}, second ${secondCode === 0 ? 'passed' : 'FAILED'}` +
      ` (${minutes} min in all)\n`,
  );
  process.exit(firstCode === 0 && secondCode === 0 ? 0 : 1);
}

await runLanes();
