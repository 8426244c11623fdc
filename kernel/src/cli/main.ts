import { readConnectionFile } from '../protocol/connection.js';
import { buildExtensionWheel, install } from './install-command.js';
import { setup, setupRay, setupTflite } from './setup.js';
import { lab } from './lab.js';

const usage = `Usage: lepton <command>

  install [--user | --prefix DIR | --sys-prefix]   write the "TypeScript (Lepton)" kernelspec
          [--extension] [--python PATH]            and install the JupyterLab extension into that Jupyter (the one
                                                   whose \`jupyter\` is on PATH, or the one --python runs)
  build-extension                                  build the JupyterLab extension's wheel (extension/wheel/)
  kernel --conn FILE                               run the kernel on a Jupyter connection file
  setup [--tflite] [--ray]                         create the project's Python env and install the kernelspec in it
                                                   (--tflite: also .venv-tflite with TensorFlow Lite's interpreter;
                                                   --ray: also .venv-ray with Ray Serve)
  ray start [--port N] [--http-port N] [--num-cpus N] | ray stop | ray status
                                                   a local single-node Ray cluster on loopback for Ray targets
  lab [jupyter lab options]                        set up, then start JupyterLab on notebooks/ (what npm start runs)
  serve [--port N] [--host H] | serve --stop        start the model server (detached; finds a running one) or stop it
        [--inference-token T] [--allow-host NAME]    (and --max-elements, --request-timeout, --workers, --body-limit)
`;

/** Runs the `lepton` command line; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'install':
      return install(args);
    case 'build-extension':
      console.log(`Built ${buildExtensionWheel((line) => process.stderr.write(line + '\n'))}`);
      console.log('Install it with pip into any JupyterLab >= 4.6 environment, or use: npx lepton install --extension');
      return 0;
    case 'kernel': {
      const at = args.indexOf('--conn');
      const file = at >= 0 ? args[at + 1] : undefined;
      if (!file) {
        console.error('lepton kernel needs a connection file: lepton kernel --conn FILE');
        return 2;
      }
      const { Kernel } = await import('../kernel.js');
      const kernel = new Kernel(readConnectionFile(file));
      await kernel.start();
      await kernel.done;
      // Worker threads hold native sockets; leave at once rather than tear them down one by one.
      process.exit(0);
      return 0;
    }
    case 'setup':
      setup();
      if (args.includes('--tflite')) setupTflite();
      if (args.includes('--ray')) setupRay();
      return 0;
    case 'ray':
      return (await import('./ray.js')).ray(args);
    case 'lab':
      return lab(args);
    case 'serve':
      return serve(args);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(usage);
      return command === undefined ? 2 : 0;
    default:
      console.error(`Unknown command "${command}".\n\n${usage}`);
      return 2;
  }
}

/** Server flags `lepton serve` passes on to a new server as they are (each takes a value; see server/src/main.ts). */
const SERVER_FLAGS = [
  '--inference-token',
  '--allow-host',
  '--max-elements',
  '--request-timeout',
  '--workers',
  '--body-limit',
];

/**
 * `lepton serve [--port N] [--host H] [server flags] | --stop`: the model server of the Lepton home (`LEPTON_HOME`,
 * `~/.lepton`).
 */
async function serve(args: string[]): Promise<number> {
  const { ensureServer, stopServer, leptonHome } = await import('@lepton/server');
  const option = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
  if (args.includes('--stop')) {
    const stopped = await stopServer();
    console.log(
      stopped ? `Stopped the Lepton server of ${leptonHome()}.` : `No Lepton server was running for ${leptonHome()}.`,
    );
    return 0;
  }
  const port = option('--port');
  if (port !== undefined && !/^\d+$/.test(port)) {
    console.error(`lepton serve: --port needs a number, got "${port}".`);
    return 2;
  }
  const passed: string[] = [];
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i]!, args[i + 1]];
    if (flag === '--port' || flag === '--host') continue;
    if (!SERVER_FLAGS.includes(flag) || value === undefined || value.startsWith('--')) {
      console.error(
        `lepton serve: unknown option or missing value "${flag}". Options: --port N, --host H, ${SERVER_FLAGS.map((f) => `${f} VALUE`).join(', ')}, or --stop.`,
      );
      return 2;
    }
    passed.push(flag, value);
  }
  const { info, started, note } = await ensureServer({
    port: port === undefined ? undefined : Number(port),
    host: option('--host'),
    args: passed,
  });
  if (!started && passed.length > 0)
    console.log(
      `A server was already running: ${passed.filter((_, i) => i % 2 === 0).join(', ')} apply to a new one (lepton serve --stop first).`,
    );
  if (note !== undefined) console.log(note);
  console.log(
    `${started ? 'Started' : 'Found'} the Lepton server at ${info.url} (pid ${info.pid}); management token in ${leptonHome()}/server-token.`,
  );
  return 0;
}
