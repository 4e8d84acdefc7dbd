import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from './tmp.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  license: string; sideEffects?: unknown; bin: Record<string, string>;
  exports: { '.': { types: string; import: string; require: string } };
  dependencies: Record<string, string>;
};

/** A scratch project with xmlc installed (linked) under node_modules, as a consumer sees it. */
function consumer(): string {
  const dir = tempDir('consumer');
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(root, path.join(dir, 'node_modules', 'xmlc'), 'dir');
  return dir;
}

function node(cwd: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, args, { cwd, encoding: 'utf8' });
}

test('package.json: exports name types, import and require files that exist; no false sideEffects; MIT LICENSE', () => {
  const e = pkg.exports['.'];
  for (const f of [e.types, e.import, e.require, ...Object.values(pkg.bin)]) assert.ok(existsSync(path.join(root, f)), f);
  assert.equal(pkg.sideEffects, undefined, 'importing xmlc registers backends and sets tfjs flags');
  assert.equal(pkg.license, 'MIT');
  assert.match(readFileSync(path.join(root, 'LICENSE'), 'utf8'), /^MIT License\n/);
  assert.equal(pkg.dependencies['@tensorflow/tfjs'], undefined, 'the union bundle is not a dependency');
});

test("require('xmlc') gives the same exports as import('xmlc'); where require() of ES modules is off it says xmlc is ESM-only", () => {
  const dir = consumer();
  const r = node(dir, ['--input-type=module', '-e', `
    import { createRequire } from 'node:module';
    const viaImport = Object.keys(await import('xmlc')).sort();
    const viaRequire = Object.keys(createRequire(process.cwd() + '/')('xmlc')).sort();
    console.log(JSON.stringify({ same: JSON.stringify(viaImport) === JSON.stringify(viaRequire), n: viaImport.length }));`]);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { same: boolean; n: number };
  assert.ok(out.same && out.n > 0, r.stdout);
  const off = node(dir, ['--no-experimental-require-module', '-e', "require('xmlc')"]);
  assert.equal(off.status, 1);
  assert.match(off.stderr, /xmlc is ESM-only .*use import\(\) or "type": "module"/);
});

test('importing xmlc loads tfjs-core and the cpu backend, not the @tensorflow/tfjs bundle, and registers the gradients training needs', () => {
  const r = node(consumer(), ['--input-type=module', '-e', `
    import { createRequire } from 'node:module';
    await import('xmlc');
    const require = createRequire(process.cwd() + '/node_modules/xmlc/package.json');
    const tf = require('@tensorflow/tfjs-core');
    const loaded = Object.keys(require.cache).map((f) => f.match(/@tensorflow\\/([^/]+)\\//)?.[1]).filter(Boolean);
    const kernels = ['Mean', 'BatchMatMul', 'FusedBatchNorm', 'Sign', 'Slice', 'SquaredDifference', 'Sigmoid'];
    console.log(JSON.stringify({ packages: [...new Set(loaded)].sort(), missing: kernels.filter((k) => !tf.getGradient(k)) }));`]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { packages: ['tfjs-backend-cpu', 'tfjs-core'], missing: [] });
});

test('npm pack ships the exports, LICENSE and CHANGELOG, no TypeScript sources, and source maps that carry their sources', () => {
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const files = new Set((JSON.parse(r.stdout) as [{ files: { path: string }[] }])[0].files.map((f) => f.path));
  const e = pkg.exports['.'];
  for (const f of ['LICENSE', 'CHANGELOG.md', 'README.md', 'package.json', 'dist/src/engine/tfjs_gradients.js', e.types, e.import, e.require]) {
    assert.ok(files.has(f.replace(/^\.\//, '')), `${f} is packed`);
  }
  for (const f of files) {
    assert.ok(!/\.(ts|mts|cts)$/.test(f) || f.endsWith('.d.ts'), `stray source ${f}`);
    assert.ok(!/^(test|eval|scripts)\/|^dist\/(test|eval)\//.test(f), `not for users: ${f}`);
    if (!f.endsWith('.map')) continue;
    const map = JSON.parse(readFileSync(path.join(root, f), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
    map.sources.forEach((s, i) => {
      const shipped = files.has(path.posix.join(path.posix.dirname(f), s));
      assert.ok(shipped || typeof map.sourcesContent?.[i] === 'string', `${f} points to ${s}, which is not packed`);
    });
  }
});

test('the examples and a consumer program compile with strict tsc, without skipLibCheck, with a types list (examples/tsconfig.json)', () => {
  const dir = consumer();
  symlinkSync(path.join(root, 'node_modules', '@types'), path.join(dir, 'node_modules', '@types'), 'dir');
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  const examples = path.join(root, 'examples');
  for (const f of readdirSync(examples)) copyFileSync(path.join(examples, f), path.join(dir, f));
  writeFileSync(path.join(dir, 'main.ts'), "import { useBackend, type BackendName } from 'xmlc';\nconst b: BackendName = 'cpu';\nawait useBackend(b);\n");
  const r = node(dir, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.', '--noEmit', '--listFiles']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const own = r.stdout.split('\n').filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.includes('/node_modules/'));
  assert.deepEqual(own.map((f) => path.basename(f)).sort(), [...readdirSync(examples).filter((f) => f.endsWith('.ts')), 'main.ts'].sort());
});
