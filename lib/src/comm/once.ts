import { getHost, type Comm } from '../display/host.js';

/** The comm targets registered so far, per host (a kernel restart brings a new host). */
const registered = new WeakMap<object, Set<string>>();

/**
 * Registers `handler` for comms the front end opens on `targetName`, once per host: library code calls it each time
 * it shows something a front end may talk back to. Outside a kernel there is no front end, and nothing happens.
 */
export function registerTargetOnce(targetName: string, handler: (comm: Comm, data: unknown) => void): void {
  const host = getHost();
  const targets = registered.get(host) ?? new Set<string>();
  if (targets.has(targetName)) return;
  try {
    host.registerCommTarget(targetName, handler);
  } catch {
    return;
  }
  targets.add(targetName);
  registered.set(host, targets);
}
