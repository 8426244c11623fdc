/**
 * Crash-safe file writes for the library: the model server's atomic write (temp file, fsync, rename, folder
 * fsync), after creating the folder. Readers see the old file or the new one, never a torn one.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic as writeAtomicInFolder } from '@lepton/server/atomic';

/** Writes `data` to `path` atomically, creating its folder first. */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeAtomicInFolder(path, data);
}
