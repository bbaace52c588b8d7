/**
 * The package as a user installs it: compiled into a scratch copy (the repository's own dist/ is
 * left alone, so other tests building it are not raced), packed with `npm pack`, and unpacked into
 * the node_modules of fresh applications, with its dependencies beside it as npm would put them.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = new URL('../..', import.meta.url).pathname;

/** Builds and packs the package into `work`; returns the tarball's path. */
export function packPackage(work: string): string {
  const pkg = join(work, 'pkg');
  mkdirSync(pkg, { recursive: true });
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(pkg, 'dist')], {
    cwd: ROOT,
    stdio: 'pipe',
  });
  copyFileSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
  copyFileSync(join(ROOT, 'README.md'), join(pkg, 'README.md'));
  execFileSync('npm', ['pack', '--pack-destination', work], { cwd: pkg, stdio: 'pipe' });
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  if (tarball === undefined) throw new Error('npm pack made no tarball');
  return join(work, tarball);
}

/**
 * A fresh application in `dir` with the tarball unpacked as node_modules/ldedge, the package's
 * dependencies, and `extra` packages (type packages, optional peers) linked from this repository.
 */
export function makeApp(dir: string, tarball: string, extra: readonly string[] = []): string {
  const pkgDir = join(dir, 'node_modules', 'ldedge');
  mkdirSync(pkgDir, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', pkgDir, '--strip-components=1']);
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  for (const dep of [...Object.keys(manifest.dependencies ?? {}), ...extra]) {
    const to = join(dir, 'node_modules', dep);
    mkdirSync(join(to, '..'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', dep), to, 'dir');
  }
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'app', private: true, type: 'module', dependencies: { ldedge: `file:${tarball}` } }, null, 2),
  );
  return dir;
}
