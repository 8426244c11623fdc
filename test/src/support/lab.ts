import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopServer } from '@lepton/server';
import { isolatedJupyterEnv } from './fresh-jupyterlab.js';
import { repoRoot } from './project.js';

/** A JupyterLab started the way `npm start` starts it (`lepton lab`), on a free port with a known token. */
export interface RunningLab {
  base: string;
  token: string;
  /** The Lepton home its kernels deploy into (and its model server runs from). */
  home: string;
  /** Everything it printed. */
  log(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

/** How to start a JupyterLab: a program, its arguments and extra environment, given its port, token and home. */
type LabCommand = (
  port: number,
  token: string,
  home: string,
) => { program: string; args: string[]; env?: Record<string, string> };

/** `lepton lab --no-browser` (what `npm start` runs). */
const leptonLab =
  (extraArgs: string[]): LabCommand =>
  (port, token) => ({
    program: process.execPath,
    args: [
      join(repoRoot, 'kernel', 'bin', 'lepton.js'),
      'lab',
      '--no-browser',
      `--port=${port}`,
      `--IdentityProvider.token=${token}`,
      ...extraArgs,
    ],
  });

/** Starts one JupyterLab in its own process group; resolves once its API answers, or undefined if it never does. */
async function launch(command: LabCommand, waitMs: number): Promise<{ lab: RunningLab; up: boolean }> {
  const port = await freePort();
  const token = 'lepton-test-token';
  const home = mkdtempSync(join(tmpdir(), 'lepton-lab-home-'));
  const { program, args, env } = command(port, token, home);
  const child: ChildProcess = spawn(
    program,
    args,
    // Its own process group, so that stop() can end JupyterLab too even if it does not answer signals.
    // Settings and workspaces go to the temporary home too: what a test changes (the theme, the layout) must not
    // leak into the next run or into the user's own JupyterLab.
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        LEPTON_HOME: home,
        LEPTON_PORT: '0',
        JUPYTERLAB_SETTINGS_DIR: join(home, 'lab-settings'),
        JUPYTERLAB_WORKSPACES_DIR: join(home, 'lab-workspaces'),
        ...env,
      },
      detached: true,
    },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // The group is gone already.
    }
  };
  const base = `http://127.0.0.1:${port}`;
  const lab: RunningLab = {
    base,
    token,
    home,
    log: () => output,
    stop: async () => {
      signalGroup('SIGINT');
      const timer = setTimeout(() => {
        signalGroup('SIGKILL');
      }, 10_000);
      await exited;
      clearTimeout(timer);
      signalGroup('SIGKILL');
      await stopServer({ home });
      rmSync(home, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline && child.exitCode === null) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    // A bounded request: a server that accepts connections but hangs must not hang the test.
    const ok = await fetch(`${base}/api/status?token=${token}`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { lab, up: true };
  }
  return { lab, up: false };
}

/**
 * Starts `lepton lab --no-browser` and waits until its API answers. Its kernels deploy into a Lepton home of its
 * own, whose model server stops with it. JupyterLab 4.6 was seen to hang at start once in many runs here (both of
 * its threads waiting on a lock, the port open but never answering): such a start is killed and tried once more.
 */
export async function startLab(extraArgs: string[] = []): Promise<RunningLab> {
  return startWith(leptonLab(extraArgs));
}

/**
 * Starts `jupyter lab` from any environment (`jupyter`: that env's `bin/jupyter`), as a user starts their own
 * JupyterLab, with nothing of this machine's user-level Jupyter folders: its config and data folders are fresh ones
 * in the lab's home, so only what is installed in that environment counts.
 */
export async function startJupyterLab(jupyter: string, extraArgs: string[] = []): Promise<RunningLab> {
  return startWith((port, token, home) => ({
    program: jupyter,
    args: [
      'lab',
      '--no-browser',
      `--port=${port}`,
      `--IdentityProvider.token=${token}`,
      ...(process.getuid?.() === 0 ? ['--allow-root'] : []),
      ...extraArgs,
    ],
    env: isolatedJupyterEnv(home),
  }));
}

/** Starts a JupyterLab with `command`, once more if the first start hangs (see {@link startLab}). */
async function startWith(command: LabCommand): Promise<RunningLab> {
  let failures = '';
  for (let attempt = 1; attempt <= 2; attempt++) {
    const { lab, up } = await launch(command, 90_000);
    if (up) return lab;
    failures += `attempt ${attempt}:\n${lab.log().slice(-4000)}\n`;
    await lab.stop();
  }
  throw new Error(`JupyterLab did not start:\n${failures}`);
}
