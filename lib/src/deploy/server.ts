/**
 * Finding or starting the Lepton model server for a Lepton home, with errors that name the fix: a missing server
 * build, a port taken by another program, a server that fails to start.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { RunningServer, ServerClientError } from '@lepton/server';
import { DeployError } from './errors.js';

type ServerModule = typeof import('@lepton/server');

/** Where and how to find or start the server. */
export interface ServerOptions {
  /** The Lepton home (default: `LEPTON_HOME`, else `~/.lepton`). */
  home?: string;
  /**
   * Port for a server started by this call (0 picks a free one). Default: `LEPTON_PORT`, else 8707, or a free port
   * when 8707 is held by another Lepton home's server. Ignored when one already runs.
   */
  port?: number;
  /** Address for a server started by this call (default 127.0.0.1). */
  host?: string;
}

/**
 * The server of the Lepton home: the running one, else a new detached process that outlives the kernel.
 * Throws `DeployError` (`LEPTON_NO_SERVER_BINARY`, `LEPTON_PORT_BUSY`, `LEPTON_SERVER_START`).
 */
export async function connect(options: ServerOptions = {}): Promise<RunningServer & { home: string }> {
  const { ensureServer, leptonHome, defaultPort } = await loadServer();
  const home = leptonHome(options.home);
  try {
    const running = await ensureServer({
      home,
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.host === undefined ? {} : { host: options.host }),
    });
    // Said once: only the call that started the server gets a note.
    if (running.note !== undefined) console.log(running.note);
    return { home, ...running };
  } catch (error) {
    const message = (error as Error).message;
    if (/EADDRINUSE/.test(message)) {
      const port = options.port ?? defaultPort();
      throw new DeployError(
        'LEPTON_PORT_BUSY',
        `Port ${port} on ${options.host ?? '127.0.0.1'} is taken by another program, so the Lepton server for ${home} cannot start there. ` +
          `Stop that program, or deploy with { port: 0 } (any free port) or another port, e.g. lepton.deploy(model, { name, port: 8717 }).`,
        { cause: error },
      );
    }
    throw new DeployError(
      'LEPTON_SERVER_START',
      `The Lepton model server for ${home} could not start: ${message}\nSee ${home}/logs/server.log.`,
      { cause: error },
    );
  }
}

/**
 * The `@lepton/server` package, loaded on first use so that `lepton` works without it; throws
 * `LEPTON_NO_SERVER_BINARY` when the package or its entry script (`dist/main.js`) is missing.
 */
export async function loadServer(): Promise<ServerModule> {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve('@lepton/server');
  } catch (error) {
    throw new DeployError(
      'LEPTON_NO_SERVER_BINARY',
      'The Lepton model server (@lepton/server) is not installed. Run `npm install @lepton/server` (or `npm ci && npm run build` in a Lepton checkout), then restart the kernel.',
      { cause: error },
    );
  }
  const main = join(dirname(entry), 'main.js');
  if (!existsSync(main)) {
    throw new DeployError(
      'LEPTON_NO_SERVER_BINARY',
      `The Lepton model server is not built: ${main} is missing. Run \`npm run build\` in the Lepton checkout, then deploy again.`,
    );
  }
  return import('@lepton/server');
}

/** A server refusal as a `DeployError` naming what was asked; other errors pass through. */
export function serverError(what: string, error: unknown): unknown {
  if (error instanceof Error && error.name === 'ServerClientError') {
    // Matched by name: the server package's class may be another module instance than the one imported here.
    const refused = error as Error & Pick<ServerClientError, 'code'>;
    return new DeployError('LEPTON_SERVER', `${what}: ${refused.message} (${refused.code})`, {
      cause: error,
      serverCode: refused.code,
    });
  }
  return error;
}
