/**
 * A model worker thread: loads one onnxruntime session on the model named in `workerData.path`, then answers run
 * messages from `WorkerRunner`; a close message releases the session and ends the thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import {
  ortFeeds,
  plainOutputs,
  SESSION_OPTIONS,
  type CloseMessage,
  type RunMessage,
  type RunReply,
} from './runner.js';

const port = parentPort!;
const post = (reply: RunReply) => {
  port.postMessage(reply);
};

try {
  const session = await ort.InferenceSession.create((workerData as { path: string }).path, SESSION_OPTIONS);
  // The handler settles every run itself (a reply or an error reply), so its promise is not awaited by anyone.
  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- see above
  port.on('message', async (message: RunMessage | CloseMessage) => {
    if ('close' in message) {
      // Asked only once no run is pending: release the session, then let the thread end on its own.
      await session.release();
      port.close();
      return;
    }
    try {
      post({ id: message.id, outputs: plainOutputs(await session.run(ortFeeds(message.feeds, message.types))) });
    } catch (error) {
      post({ id: message.id, error: (error as Error).message });
    }
  });
  post({ ready: true });
} catch (error) {
  post({ failed: (error as Error).message });
}
