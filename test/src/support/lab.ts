import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopServer } from '@lepton/server';
import { repoRoot } from './project.js';

/** A JupyterLab started the way `npm start` starts it (`lepton lab`), on a free port with a known token. */
export interface RunningLab {
  base: string;
  token: string;
  /** Everything it printed. */
  log(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `lepton lab --no-browser` and waits until its API answers. Its kernels deploy into a Lepton home of its
 * own, whose model server stops with it.
 */
export async function startLab(extraArgs: string[] = []): Promise<RunningLab> {
  const port = await freePort();
  const token = 'lepton-test-token';
  const home = mkdtempSync(join(tmpdir(), 'lepton-lab-home-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [join(repoRoot, 'kernel', 'bin', 'lepton.js'), 'lab', '--no-browser', `--port=${port}`, `--IdentityProvider.token=${token}`, ...extraArgs],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LEPTON_HOME: home } },
  );
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const base = `http://127.0.0.1:${port}`;
  const lab: RunningLab = {
    base,
    token,
    log: () => output,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGINT');
        await new Promise((resolve) => child.once('exit', resolve));
      }
      await stopServer({ home });
      rmSync(home, { recursive: true, force: true });
    },
  };
  for (let attempt = 0; attempt < 240; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const ok = await fetch(`${base}/api/status?token=${token}`).then((r) => r.ok, () => false);
    if (ok) return lab;
    if (child.exitCode !== null) break;
  }
  await lab.stop();
  throw new Error(`JupyterLab did not start:\n${output}`);
}
