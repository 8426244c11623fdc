import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { repoRoot, requireVenv } from './project.js';
import type { MimeBundle } from './mime.js';

/**
 * A message's content: the fields of the Jupyter messaging spec that the tests read, each optional since every
 * msg_type carries only some of them (the assertions check which); any other field stays `unknown`.
 */
export interface MessageContent {
  [field: string]: unknown;
  status?: string;
  execution_state?: string;
  execution_count?: number | null;
  name?: string;
  text?: string;
  data?: MimeBundle;
  metadata?: Record<string, unknown>;
  transient?: { display_id?: string };
  ename?: string;
  evalue?: string;
  traceback?: string[];
  comm_id?: string;
  target_name?: string;
  matches?: string[];
  cursor_start?: number;
  cursor_end?: number;
  found?: boolean;
  prompt?: string;
  protocol_version?: string;
  implementation?: string;
  language_info?: { name: string; version: string; [field: string]: unknown };
  comms?: Partial<Record<string, { target_name: string }>>;
}

/** One message as the driver reports it. */
export interface JupyterMessage {
  msg_type: string;
  content: MessageContent;
  parent_msg_id?: string;
  msg_id: string;
}

/** What executing a cell produced: its reply and its iopub messages (status messages left out). */
export interface Execution {
  reply: JupyterMessage;
  outputs: JupyterMessage[];
  /** Every iopub message, status included. */
  iopub: JupyterMessage[];
}

/**
 * A real Jupyter client (jupyter_client, from the project's Python env) driving a kernel, for integration tests.
 * The Python side is test/support/jupyter_driver.py; each call is one request to it.
 */
export class KernelClient {
  private readonly driver: ChildProcessWithoutNullStreams;
  private readonly answers: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  private stderr = '';

  private constructor() {
    this.driver = spawn(requireVenv(), [join(repoRoot, 'test', 'support', 'jupyter_driver.py')], {
      env: { ...process.env, JUPYTER_PATH: join(repoRoot, '.venv', 'share', 'jupyter') },
    });
    this.driver.stderr.setEncoding('utf8');
    this.driver.stderr.on('data', (chunk: string) => (this.stderr += chunk));
    createInterface({ input: this.driver.stdout }).on('line', (line) => this.answers.shift()?.resolve(line));
    this.driver.once('exit', () => {
      for (const waiter of this.answers.splice(0))
        waiter.reject(new Error(`the Jupyter driver exited: ${this.stderr}`));
    });
  }

  /** Starts the Lepton kernel (or `kernelName`) and waits until it answers kernel_info. */
  static async start(
    options: { kernelName?: string; cwd?: string; env?: Record<string, string> } = {},
  ): Promise<KernelClient> {
    const client = new KernelClient();
    client.startup = await client.call<{ startup_s: number }>('start', {
      kernel_name: options.kernelName ?? 'lepton',
      cwd: options.cwd ?? join(repoRoot, 'notebooks'),
      env: options.env ?? {},
    });
    return client;
  }

  startup: { startup_s: number } = { startup_s: NaN };

  /** One request to the driver. */
  async call<T = unknown>(op: string, args: Record<string, unknown> = {}): Promise<T> {
    const line = await new Promise<string>((resolve, reject) => {
      this.answers.push({ resolve, reject });
      this.driver.stdin.write(JSON.stringify({ op, ...args }) + '\n', (error) => {
        if (error) reject(error);
      });
    });
    // The driver (jupyter_driver.py) answers each request with one line of this shape; `result` is what `op` returns.
    const answer = JSON.parse(line) as { ok: true; result: T } | { ok: false; error: string; trace: string };
    if (!answer.ok) throw new Error(`${op} failed: ${answer.error}\n${answer.trace}`);
    return answer.result;
  }

  /** Sends a request and returns its msg_id. */
  async send(
    msgType: string,
    content: Record<string, unknown> = {},
    channel: 'shell' | 'control' | 'stdin' = 'shell',
  ): Promise<string> {
    return (await this.call<{ msg_id: string }>('send', { msg_type: msgType, content, channel })).msg_id;
  }

  /** The reply to a request. */
  reply(msgId: string, channel: 'shell' | 'control' = 'shell', timeout = 30): Promise<JupyterMessage> {
    return this.call<JupyterMessage>('reply', { msg_id: msgId, channel, timeout });
  }

  /** The iopub messages of a request, until it goes idle. */
  async iopub(msgId: string, timeout = 30): Promise<JupyterMessage[]> {
    return (await this.call<{ messages: JupyterMessage[] }>('iopub', { msg_id: msgId, timeout })).messages;
  }

  /** Sends a request and waits for its reply. */
  async request(
    msgType: string,
    content: Record<string, unknown> = {},
    channel: 'shell' | 'control' = 'shell',
  ): Promise<JupyterMessage> {
    const id = await this.send(msgType, content, channel);
    const reply = await this.reply(id, channel);
    await this.iopub(id);
    return reply;
  }

  /** Executes a cell and collects everything it produced. */
  async execute(
    code: string,
    options: { allowStdin?: boolean; timeout?: number; stopOnError?: boolean } = {},
  ): Promise<Execution> {
    const id = await this.send('execute_request', {
      code,
      silent: false,
      store_history: true,
      user_expressions: {},
      allow_stdin: options.allowStdin ?? false,
      stop_on_error: options.stopOnError ?? true,
    });
    const iopub = await this.iopub(id, options.timeout ?? 60);
    const reply = await this.reply(id, 'shell', options.timeout ?? 60);
    return { reply, iopub, outputs: iopub.filter((m) => m.msg_type !== 'status') };
  }

  /** Sends SIGINT the way Jupyter does for `interrupt_mode: signal`. */
  interrupt(): Promise<{ took_s: number }> {
    return this.call<{ took_s: number }>('interrupt');
  }

  /** Restarts the kernel process and waits until it is ready. */
  async restart(): Promise<void> {
    await this.call('restart');
  }

  /** Whether the kernel process is alive. */
  async alive(): Promise<boolean> {
    return (await this.call<{ alive: boolean }>('alive')).alive;
  }

  /** Shuts the kernel down and stops the driver. */
  async shutdown(): Promise<void> {
    try {
      await this.call('shutdown');
    } finally {
      this.driver.stdin.end();
    }
  }
}

/** The text of every stream output, joined. */
export function streamText(execution: Execution, name: 'stdout' | 'stderr' = 'stdout'): string {
  return execution.outputs
    .filter((m) => m.msg_type === 'stream' && m.content.name === name)
    .map((m) => m.content.text)
    .join('');
}

/** The execute_result's data, if any. */
export function resultData(execution: Execution): MimeBundle | undefined {
  return execution.outputs.find((m) => m.msg_type === 'execute_result')?.content.data;
}
