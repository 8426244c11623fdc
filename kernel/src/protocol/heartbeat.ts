// Echoes heartbeat pings on the hb channel, in a worker thread so that a busy main thread still answers.
import { parentPort, workerData } from 'node:worker_threads';
import * as zmq from 'zeromq';

const socket = new zmq.Reply();
await socket.bind((workerData as { endpoint: string }).endpoint);
// The kernel asks the worker to close its socket before the process exits: a native socket torn down with
// the thread aborts the process.
parentPort?.once('message', () => socket.close());
try {
  for await (const frames of socket) await socket.send(frames);
} catch (error) {
  if (!socket.closed) throw error;
}
