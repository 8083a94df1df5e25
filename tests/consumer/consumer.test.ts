/**
 * Consumer check: this is how real users meet the SDK. Every public package is packed with
 * `pnpm pack`, the tarballs are installed into a fresh project outside the workspace, and each
 * package is imported from ESM and from CJS with its types resolving (tsc with node16 resolution).
 * publint and @arethetypeswrong/cli check each tarball's package.json and type entry points.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..', '..');
const packagesDir = join(root, 'packages');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);

interface PublicPackage {
  name: string;
  dir: string;
  subpaths: string[];
  peers: { name: string; version: string }[];
  tarball?: string;
}

const publicPackages: PublicPackage[] = readdirSync(packagesDir)
  .map((d) => ({
    dir: join(packagesDir, d),
    pkg: JSON.parse(readFileSync(join(packagesDir, d, 'package.json'), 'utf8')),
  }))
  .filter(({ pkg }) => !pkg.private)
  .map(({ dir, pkg }) => ({
    name: pkg.name as string,
    dir,
    subpaths: Object.keys(pkg.exports ?? {}).filter((k) => k !== '.' && k !== './package.json'),
    // Subpaths such as /mcp or /postgres need their optional peers: the consumer installs them at
    // the versions the workspace tests with (what a user adding the peer would get).
    peers: Object.keys(pkg.peerDependencies ?? {}).map((name) => ({
      name,
      version: JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8'))
        .version as string,
    })),
  }));

let work = '';
const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip', npm_config_nodedir: '/usr' };

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'chimera-consumer-'));
  const tarballs = join(work, 'tarballs');
  for (const p of publicPackages) {
    if (!existsSync(join(p.dir, 'dist', 'index.js'))) {
      throw new Error(`${p.name} is not built (no dist/): run scripts/setup.sh (or pnpm build) first`);
    }
    const out = run('pnpm', ['pack', '--pack-destination', tarballs], p.dir).trim().split('\n');
    p.tarball = out.map((l) => l.trim()).find((l) => l.endsWith('.tgz'));
    if (!p.tarball || !existsSync(p.tarball))
      throw new Error(`pnpm pack for ${p.name} gave no tarball: ${out.join(' ')}`);
  }
  const app = join(work, 'app');
  execFileSync('mkdir', ['-p', app]);
  const deps: Record<string, string> = Object.fromEntries(
    publicPackages.map((p) => [p.name, `file:${p.tarball}`]),
  );
  const peers = Object.fromEntries(publicPackages.flatMap((p) => p.peers.map((x) => [x.name, x.version])));
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify(
      { name: 'consumer-app', private: true, version: '0.0.0', dependencies: { ...peers, ...deps } },
      null,
      2,
    ),
  );
  // Internal dependencies point at the tarballs too, never at the registry.
  const overrides = Object.entries(deps)
    .map(([k, v]) => `  "${k}": "${v}"`)
    .join('\n');
  // The workspace's skip list of node-llama-cpp's GPU and foreign-platform binaries (about 650 MB)
  // applies to a consumer too; its postinstall would fetch llama.cpp from GitHub, so it never runs.
  const workspace = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const ignored = /^ignoredOptionalDependencies:\n(?: {2}- .*\n)+/m.exec(workspace)?.[0] ?? '';
  writeFileSync(
    join(app, 'pnpm-workspace.yaml'),
    `overrides:\n${overrides}\nallowBuilds:\n  better-sqlite3: true\n  onnxruntime-node: false\n  protobufjs: false\n  node-llama-cpp: false\n${ignored}`,
  );
  run('pnpm', ['install', '--prefer-offline', '--reporter=silent'], app);
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('consumer check: packed packages in a fresh project', () => {
  for (const p of publicPackages) {
    const specs = [p.name, ...p.subpaths.map((s) => `${p.name}/${s.slice(2)}`)];

    it(`${p.name}: imports from ESM`, () => {
      const code = `${specs.map((s, i) => `import * as m${i} from '${s}';`).join('\n')}\nconsole.log(JSON.stringify([${specs.map((_, i) => `Object.keys(m${i}).length`).join(',')}]));\n`;
      writeFileSync(join(work, 'app', 'esm-check.mjs'), code);
      const counts = JSON.parse(run('node', ['esm-check.mjs'], join(work, 'app'))) as number[];
      expect(counts[0]).toBeGreaterThan(0);
    });

    it(`${p.name}: requires from CJS`, () => {
      const code = `const counts = [${specs.map((s) => `Object.keys(require('${s}')).length`).join(',')}];\nconsole.log(JSON.stringify(counts));\n`;
      writeFileSync(join(work, 'app', 'cjs-check.cjs'), code);
      const counts = JSON.parse(run('node', ['cjs-check.cjs'], join(work, 'app'))) as number[];
      expect(counts[0]).toBeGreaterThan(0);
    });

    it(`${p.name}: types resolve for ESM and CJS consumers (node16)`, () => {
      const dir = join(work, 'app');
      writeFileSync(
        join(dir, 'check.mts'),
        specs.map((s, i) => `import * as m${i} from '${s}';\nvoid m${i};`).join('\n'),
      );
      writeFileSync(
        join(dir, 'check.cts'),
        specs.map((s, i) => `import m${i} = require('${s}');\nvoid m${i};`).join('\n'),
      );
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            module: 'node16',
            moduleResolution: 'node16',
            strict: true,
            noEmit: true,
            skipLibCheck: true,
            types: [],
          },
          files: ['check.mts', 'check.cts'],
        }),
      );
      run(bin('tsc'), ['-p', 'tsconfig.json'], dir);
    });

    it(`${p.name}: publint and arethetypeswrong pass`, () => {
      run(bin('publint'), ['--strict'], p.dir);
      run(bin('attw'), [p.tarball!, '--profile', 'node16', '--format', 'ascii'], p.dir);
    });
  }
});
