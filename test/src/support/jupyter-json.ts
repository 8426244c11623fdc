/** What `jupyter kernelspec list --json` prints and `/api/kernelspecs` answers: the kernel specs by name. */
export interface KernelspecList {
  /** The default kernel's name (`/api/kernelspecs` only). */
  default?: string;
  kernelspecs: Partial<Record<string, { resource_dir: string; spec: KernelSpec }>>;
}

/** A kernel.json, as Jupyter's kernel spec format defines it. */
export interface KernelSpec {
  display_name: string;
  language: string;
  interrupt_mode?: 'signal' | 'message';
  argv: string[];
  env?: Record<string, string>;
}
