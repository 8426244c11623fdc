/**
 * Talks to the kernel that produced an output: finds the notebook (or console) widget holding a rendered output,
 * and sends one request over a comm, resolving with the kernel's answer. Renderers get no kernel from JupyterLab,
 * so the output's place in the shell decides which kernel it belongs to.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { ISessionContext } from '@jupyterlab/apputils';
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import type { CommRequests, CommSuccess, CommTarget } from '@lepton/lib/contract';

/** A widget with a kernel session: notebook panels and consoles. */
interface WithSession {
  node: HTMLElement;
  sessionContext: ISessionContext;
}

const hasSession = (widget: unknown): widget is WithSession =>
  typeof widget === 'object' && widget !== null && 'sessionContext' in widget && 'node' in widget;

/** The kernel of the notebook or console whose DOM holds `node`, or null. */
export function kernelFor(app: JupyterFrontEnd, node: HTMLElement): Kernel.IKernelConnection | null {
  for (const widget of app.shell.widgets('main')) {
    if (hasSession(widget) && widget.node.contains(node)) return widget.sessionContext.session?.kernel ?? null;
  }
  return null;
}

/**
 * Opens a comm on `target` with `data` and resolves with the first message back whose `action` matches, or
 * rejects with the answer's `error` when `ok` is false, or after `timeoutMs`. The request and its answer are typed
 * by the contract (`@lepton/lib/contract`): what a target accepts, and what each action answers.
 */
export async function commRequest<K extends CommTarget, R extends CommRequests[K]>(
  kernel: Kernel.IKernelConnection | null,
  target: K,
  data: R,
  timeoutMs: number,
): Promise<CommSuccess<R>> {
  type T = CommSuccess<R>;
  if (!kernel)
    throw new Error(
      'This output is not attached to a running Lepton kernel (was the kernel restarted or shut down?). Run the cell again.',
    );
  const comm = kernel.createComm(target);
  try {
    return await new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`The kernel did not answer within ${Math.round(timeoutMs / 1000)} s.`));
      }, timeoutMs);
      comm.onMsg = (message: KernelMessage.ICommMsgMsg) => {
        // The kernel's JSON, read as the contract says its answers look (`ok` decides which half of the union).
        const answer = message.content.data as unknown as { action?: unknown; ok?: boolean; error?: string };
        if (answer.action !== data.action) return;
        clearTimeout(timer);
        if (answer.ok) resolve(answer as unknown as T);
        else reject(new Error(answer.error ?? 'the kernel refused the request'));
      };
      comm.onClose = () => {
        clearTimeout(timer);
        reject(new Error(`The kernel closed the ${target} channel: is this a Lepton kernel?`));
      };
      comm.open(data as never);
    });
  } finally {
    if (!comm.isDisposed) {
      comm.onClose = () => undefined;
      try {
        comm.close();
      } catch {
        // The kernel went away; nothing to close.
      }
    }
  }
}
