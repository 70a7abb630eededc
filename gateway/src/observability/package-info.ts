// Where the project's package.json is and what it says, found the same way from gateway/src (tests) and dist (users).
// The dashboard's static files and the build_info version are read relative to it, so no build step copies them.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest directory above this module holding a package.json: the repository (or installed package) root. */
function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  // Bounded by the filesystem depth: dirname('/') is '/'.
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
}

export const PACKAGE_ROOT = findPackageRoot();

export const PACKAGE_VERSION: string = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
