/**
 * `lepton ray start [--port N] [--http-port N] [--num-cpus N] | stop | status`: the local single-node Ray cluster of
 * the Lepton home, for Ray deployment targets. `start` installs Ray first when `.venv-ray` lacks it.
 */
import { setupRay } from './setup.js';

const USAGE = 'Usage: lepton ray start [--port N] [--http-port N] [--num-cpus N] | lepton ray stop | lepton ray status';

/** Runs `lepton ray …`; returns the exit code. */
export async function ray(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const lib = await import('@lepton/lib');
  try {
    switch (action) {
      case 'start': {
        const options = parseStart(rest);
        if (typeof options === 'string') {
          console.error(`lepton ray start: ${options}\n${USAGE}`);
          return 2;
        }
        setupRay();
        const cluster = await lib.startRayCluster(options);
        console.log(
          `${cluster.started ? 'Started' : 'Found'} the local Ray cluster at ${cluster.address} (pid ${cluster.pid}, ${cluster.numCpus} CPUs); ` +
            `Serve answers on http://127.0.0.1:${cluster.httpPort}/v2. Deploy with lepton.deploy(model, { name, target: { ray: {} } }); stop with: npx lepton ray stop`,
        );
        return 0;
      }
      case 'stop': {
        if (!lib.hasRayEnvironment()) {
          console.log('No Ray environment (.venv-ray), so no local Ray cluster was started.');
          return 0;
        }
        console.log(
          (await lib.stopRayCluster()) ? 'Stopped the local Ray cluster.' : 'No local Ray cluster was running.',
        );
        return 0;
      }
      case 'status': {
        if (!lib.hasRayEnvironment()) {
          console.log('No Ray environment (.venv-ray): run npx lepton ray start.');
          return 1;
        }
        const status = await lib.rayClusterStatus();
        if (!status.running) {
          console.log('No local Ray cluster is running (npx lepton ray start).');
          return 1;
        }
        console.log(
          `Ray cluster at ${status.address} (pid ${status.pid}); Serve on http://127.0.0.1:${status.httpPort}/v2`,
        );
        for (const d of status.deployments)
          console.log(`  ${d.name} v${d.version}: ${d.status}, replicas ${JSON.stringify(d.replicaStates)}`);
        if (status.deployments.length === 0) console.log('  no deployments');
        return 0;
      }
      default:
        console.error(USAGE);
        return 2;
    }
  } catch (error) {
    console.error(`lepton ray ${action}: ${(error as Error).message}`);
    return 1;
  }
}

/** The options of `start`, or what is wrong with them. */
function parseStart(args: string[]): { port?: number; httpPort?: number; numCpus?: number } | string {
  const flags: Record<string, 'port' | 'httpPort' | 'numCpus'> = {
    '--port': 'port',
    '--http-port': 'httpPort',
    '--num-cpus': 'numCpus',
  };
  const out: { port?: number; httpPort?: number; numCpus?: number } = {};
  for (let i = 0; i < args.length; i += 2) {
    const key = flags[args[i]!];
    const value = args[i + 1];
    if (!key) return `unknown option "${args[i]}".`;
    if (value === undefined || !/^\d+$/.test(value)) return `${args[i]} needs a number, got "${value ?? ''}".`;
    out[key] = Number(value);
  }
  return out;
}
