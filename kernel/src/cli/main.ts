import { readConnectionFile } from '../protocol/connection.js';
import { installKernelSpec, parseInstallTarget } from './install.js';
import { setup } from './setup.js';
import { lab } from './lab.js';

const usage = `Usage: lepton <command>

  install [--user | --prefix DIR | --sys-prefix]   write the "TypeScript (Lepton)" kernelspec
  kernel --conn FILE                               run the kernel on a Jupyter connection file
  setup                                            create the project's Python env and install the kernelspec in it
  lab [jupyter lab options]                        set up, then start JupyterLab on notebooks/ (what npm start runs)
  serve [--port N] [--host H] | serve --stop        start the model server (detached; finds a running one) or stop it
`;

/** Runs the `lepton` command line; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'install': {
      const dir = installKernelSpec(parseInstallTarget(args));
      console.log(`Installed the Lepton kernelspec in ${dir}`);
      return 0;
    }
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
      return 0;
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

/** `lepton serve [--port N] [--host H] | --stop`: the model server of the Lepton home (`LEPTON_HOME`, `~/.lepton`). */
async function serve(args: string[]): Promise<number> {
  const { ensureServer, stopServer, leptonHome } = await import('@lepton/server');
  const option = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
  if (args.includes('--stop')) {
    const stopped = await stopServer();
    console.log(stopped ? `Stopped the Lepton server of ${leptonHome()}.` : `No Lepton server was running for ${leptonHome()}.`);
    return 0;
  }
  const port = option('--port');
  if (port !== undefined && !/^\d+$/.test(port)) {
    console.error(`lepton serve: --port needs a number, got "${port}".`);
    return 2;
  }
  const { info, started, note } = await ensureServer({ port: port === undefined ? undefined : Number(port), host: option('--host') });
  if (note !== undefined) console.log(note);
  console.log(`${started ? 'Started' : 'Found'} the Lepton server at ${info.url} (pid ${info.pid}); management token in ${leptonHome()}/server-token.`);
  return 0;
}
