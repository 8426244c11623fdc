import { readConnectionFile } from '../protocol/connection.js';
import { installKernelSpec, parseInstallTarget } from './install.js';
import { setup } from './setup.js';
import { lab } from './lab.js';

const usage = `Usage: lepton <command>

  install [--user | --prefix DIR | --sys-prefix]   write the "TypeScript (Lepton)" kernelspec
  kernel --conn FILE                               run the kernel on a Jupyter connection file
  setup                                            create the project's Python env and install the kernelspec in it
  lab [jupyter lab options]                        set up, then start JupyterLab on notebooks/ (what npm start runs)
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
