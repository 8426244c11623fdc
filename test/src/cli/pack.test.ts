// What each workspace package would publish (`npm pack --dry-run`): none of the compiled tests, test helpers or
// fixtures that `dist/` holds after a build, and every file its entry points, bin and imports need at run time.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { repoRoot } from '../support/project.js';

interface PackageJson {
  name: string;
  main?: string;
  types?: string;
  bin?: Record<string, string>;
  exports?: Record<string, { types: string; default: string }>;
  style?: string;
  styleModule?: string;
  jupyterlab?: { schemaDir?: string; outputDir?: string };
}

/** The paths `npm pack` would put in the workspace's tarball, relative to its folder. */
function packedFiles(workspace: string): Set<string> {
  // npm runs as a JS file of its own when the tests run under npm (`npm test`), else from the PATH.
  const npmCli = process.env.npm_execpath;
  const [command, prefix] = npmCli?.endsWith('.js') ? [process.execPath, [npmCli]] : ['npm', []];
  const run = spawnSync(command, [...prefix, 'pack', '--dry-run', '--json', '--workspace', workspace], {
    cwd: repoRoot,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(run.status, 0, `npm pack --dry-run --workspace ${workspace} failed: ${run.stderr}`);
  const [tarball] = JSON.parse(run.stdout) as { files: { path: string }[] }[];
  assert.ok(tarball, `npm pack --dry-run --workspace ${workspace} listed no tarball`);
  return new Set(tarball.files.map((file) => file.path));
}

/** Whether `path` is a compiled test, a test helper module or a fixture, none of which a user's code runs. */
function isTestMaterial(path: string): boolean {
  const parts = path.split('/');
  const file = parts[parts.length - 1] ?? '';
  return (
    /\.test\.(js|d\.ts)(\.map)?$/.test(file) ||
    /^testing\.(js|d\.ts)(\.map)?$/.test(file) ||
    parts.slice(0, -1).some((folder) => folder === 'testing' || folder === 'fixtures')
  );
}

/** The files a packed JavaScript or declaration file imports by a relative path, relative to the package. */
function relativeImports(packageDir: string, path: string): string[] {
  const text = readFileSync(join(packageDir, path), 'utf8');
  const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|new URL\(\s*)['"](\.\.?\/[^'"]+)['"]/g)].map(
    (match) => match[1]!,
  );
  return specifiers.map((specifier) => {
    const target = posix.normalize(posix.join(posix.dirname(path), specifier));
    // A declaration file's `./x.js` names the declarations in `./x.d.ts`.
    return path.endsWith('.d.ts') ? target.replace(/\.js$/, '.d.ts') : target;
  });
}

/** The files the package's manifest names as what it runs or serves. */
function entryFiles(manifest: PackageJson): string[] {
  const entries = [
    manifest.main,
    manifest.types,
    manifest.style,
    manifest.styleModule,
    ...Object.values(manifest.bin ?? {}),
  ];
  return entries.filter((entry): entry is string => entry !== undefined).map((entry) => posix.normalize(entry));
}

for (const workspace of ['lib', 'kernel', 'server', 'extension']) {
  describe(`the published ${workspace} package`, () => {
    const packageDir = join(repoRoot, workspace);
    const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as PackageJson;
    let packed: Set<string> | undefined;
    const files = (): Set<string> => (packed ??= packedFiles(workspace));

    it('holds no compiled test, test helper or fixture', () => {
      const strays = [...files()].filter(isTestMaterial);
      assert.deepEqual(strays, [], `${manifest.name} would publish test material: add it to "files" as a "!" entry`);
      assert.ok(
        [...files()].some((path) => path.startsWith('dist/')),
        'the package holds its compiled code (run `npm run build` first)',
      );
    });

    it('holds its entry points and every file their code imports by a relative path', () => {
      const missing = entryFiles(manifest).filter((entry) => !files().has(entry));
      assert.deepEqual(missing, [], `${manifest.name} names entry points it would not publish`);
      const unresolved = [...files()]
        .filter((path) => path.endsWith('.js') || path.endsWith('.d.ts'))
        .flatMap((path) => relativeImports(packageDir, path).map((target) => ({ path, target })))
        .filter(({ target }) => !files().has(target));
      assert.deepEqual(unresolved, [], `${manifest.name} would publish files whose imports it leaves out`);
    });

    it('holds the file behind every export, and exports no test helper', () => {
      const targets = Object.entries(manifest.exports ?? {}).flatMap(([name, target]) =>
        [target.types, target.default].map((path) => ({ name, path: posix.normalize(path) })),
      );
      const helpers = targets.filter(({ path }) => isTestMaterial(path));
      assert.deepEqual(helpers, [], `${manifest.name} exports test material: import it by path from the workspace`);
      const missing = targets.filter(({ path }) => !files().has(path));
      assert.deepEqual(missing, [], `${manifest.name} exports files it would not publish`);
    });

    if (workspace === 'extension') {
      it('holds the Jupyter server extension, the settings schemas and the prebuilt labextension', (t) => {
        for (const path of ['python/lepton_jupyter/__init__.py', 'python/lepton_jupyter/handlers.py'])
          assert.ok(files().has(path), `${path} is not packed`);
        const schemaDir = manifest.jupyterlab?.schemaDir ?? 'schema';
        assert.ok(
          [...files()].some((path) => dirname(path) === schemaDir && path.endsWith('.json')),
          `no settings schema under ${schemaDir}/ is packed`,
        );
        const outputDir = manifest.jupyterlab?.outputDir ?? 'labextension';
        // `lepton setup` builds the labextension (npm test runs it first); a bare `npm run build` does not.
        if (!existsSync(join(packageDir, outputDir, 'package.json'))) {
          t.skip(`the labextension is not built: run \`node kernel/bin/lepton.js setup\``);
          return;
        }
        assert.ok(files().has(`${outputDir}/package.json`), `${outputDir}/package.json is not packed`);
        assert.ok(
          [...files()].some((path) => path.startsWith(`${outputDir}/static/remoteEntry.`)),
          `the labextension's remoteEntry is not packed`,
        );
      });
    }
  });
}
