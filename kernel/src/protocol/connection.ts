import { readFileSync } from 'node:fs';

/** The connection file Jupyter writes for a kernel. */
export interface ConnectionInfo {
  transport: 'tcp' | 'ipc';
  ip: string;
  shell_port: number;
  control_port: number;
  stdin_port: number;
  iopub_port: number;
  hb_port: number;
  key: string;
  signature_scheme: string;
}

/** Reads and checks a connection file, naming what is missing. */
export function readConnectionFile(path: string): ConnectionInfo {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`Cannot read the connection file ${path}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`The connection file ${path} is not a JSON object.`);
  }
  // The fields this kernel reads are checked below; the rest pass through as Jupyter wrote them.
  const info = parsed as Partial<ConnectionInfo>;
  for (const field of ['ip', 'shell_port', 'control_port', 'stdin_port', 'iopub_port', 'hb_port'] as const) {
    if (info[field] === undefined) throw new Error(`The connection file ${path} has no "${field}".`);
  }
  return {
    transport: info.transport ?? 'tcp',
    key: info.key ?? '',
    signature_scheme: info.signature_scheme ?? 'hmac-sha256',
    ...info,
  } as ConnectionInfo;
}

/** The ZMQ endpoint of one channel. */
export function endpoint(info: ConnectionInfo, port: number): string {
  return info.transport === 'ipc' ? `ipc://${info.ip}-${port}` : `tcp://${info.ip}:${port}`;
}
