export { Kernel } from './kernel.js';
export { main } from './cli/main.js';
export { installKernelSpec, kernelSpec, kernelSpecDir, type InstallTarget } from './cli/install.js';
export { KERNEL_PROCESS_ENV } from './cli/process-env.js';
