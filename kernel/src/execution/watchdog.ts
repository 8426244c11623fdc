// The kernel's watchdog, on its own thread: it sees an interrupt and the heap while the main thread is busy in a
// cell that never yields, and raises the break flag that the cells' loops check (see break-flag.ts).
import { spawn } from 'node:child_process';
import { workerData } from 'node:worker_threads';
import { BREAK_INTERRUPT, BREAK_SAMPLE, CLOCK_MS, FLAG, SAME_SIGNAL_MS, type WatchdogData } from './break-protocol.js';

const { shared, startedAt, pollMs, nearPollMs } = workerData as WatchdogData;
const flags = new Int32Array(shared);

// Signals reach the main thread's handler only once it is free, and worker threads get none; a child process in the
// kernel's process group gets the same SIGINT (Jupyter signals the whole group, as a terminal's Ctrl-C does) and
// reports it on its stdout. It ends when the kernel does (its stdin closes).
const relay = spawn(
  process.execPath,
  [
    '-e',
    "process.on('SIGINT', () => process.stdout.write('i')); process.stdin.on('end', () => process.exit(0)); process.stdin.resume()",
  ],
  { stdio: ['pipe', 'pipe', 'ignore'] },
);
relay.stdout.on('data', () => {
  const handledAt = Atomics.load(flags, FLAG.handledAt);
  // The main thread was free and took this signal already: raising the flag now could stop the next cell.
  if (handledAt > 0 && Date.now() - (startedAt + handledAt * CLOCK_MS) < SAME_SIGNAL_MS) return;
  Atomics.store(flags, FLAG.reason, BREAK_INTERRUPT);
});
relay.on('error', () => {});

// The heap can only be read on the main thread (the inspector answers there only between tasks): while a cell runs,
// the watchdog asks the cell's next loop check to read it, every pollMs, or every nearPollMs once the heap is past half
// the threshold (a loop pushing arrays fills the last tens of MB between two readings 50 ms apart).
const poll = () => {
  if (Atomics.load(flags, FLAG.cellRunning) === 1) Atomics.compareExchange(flags, FLAG.reason, 0, BREAK_SAMPLE);
  setTimeout(poll, Atomics.load(flags, FLAG.heapNear) === 1 ? nearPollMs : pollMs);
};
setTimeout(poll, pollMs);
