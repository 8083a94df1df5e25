#!/usr/bin/env node
/**
 * Builds the optional native kernels addon (native/ -> native/build/Release/chimera_kernels.node).
 *
 * Never fails the package build: every missing piece (node-gyp, a C++ toolchain, Node headers,
 * nvcc) is reported and the script exits 0; the TypeScript kernels keep every feature working.
 * With nvcc present it builds CUDA kernels (sm_90, sm_120, compute_120 PTX, cudart linked
 * statically); if that fails it falls back to a CPU-only build. The outcome is written to
 * native/build/build-info.json, which the loader (src/native) reports when the addon is missing.
 *
 * Environment: CHIMERA_NATIVE=0 skips the build; CHIMERA_CUDA=0 builds CPU-only;
 * CUDA_HOME / CUDA_PATH point at a CUDA toolkit; NODE_GYP at a node-gyp.js to use.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = join(packageDir, 'native');
const buildDir = join(nativeDir, 'build');
const addonPath = join(buildDir, 'Release', 'chimera_kernels.node');

function log(message) {
  console.log(`[build-native] ${message}`);
}

function writeInfo(info) {
  mkdirSync(buildDir, { recursive: true });
  writeFileSync(
    join(buildDir, 'build-info.json'),
    `${JSON.stringify({ ...info, date: new Date().toISOString() }, null, 2)}\n`,
  );
}

function skip(reason) {
  log(`skipped: ${reason}. The TypeScript kernels remain available.`);
  writeInfo({ built: false, cuda: false, reason });
  process.exit(0);
}

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/**
 * node-gyp as [command, ...leading args]. A .js entry runs under this Node; a PATH executable
 * (pnpm puts a shell wrapper named node-gyp on PATH while running scripts) runs as itself.
 */
function findNodeGyp() {
  const asCommand = (file) => (file.endsWith('.js') ? [process.execPath, file] : [file]);
  if (process.env.NODE_GYP && existsSync(process.env.NODE_GYP)) return asCommand(process.env.NODE_GYP);
  try {
    return asCommand(createRequire(join(packageDir, 'package.json')).resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not a local dependency: try the copy bundled with npm, then whatever is on PATH
  }
  const candidates = [];
  const npm = which('npm');
  if (npm)
    candidates.push(join(dirname(realpathSync(npm)), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  candidates.push(
    join(
      dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
  );
  const bundled = candidates.find((c) => existsSync(c));
  if (bundled) return asCommand(bundled);
  const onPath = which('node-gyp');
  return onPath ? asCommand(onPath) : null;
}

function findCudaHome() {
  const fromEnv = [process.env.CUDA_HOME, process.env.CUDA_PATH].filter(Boolean);
  for (const home of [...fromEnv, '/usr/local/cuda']) {
    if (existsSync(join(home, 'bin', 'nvcc'))) return home;
  }
  const nvcc = which('nvcc');
  if (nvcc) {
    const home = resolve(dirname(realpathSync(nvcc)), '..');
    if (existsSync(join(home, 'lib64', 'libcudart_static.a'))) return home;
  }
  return null;
}

function run(nodeGyp, args, env) {
  const [command, ...lead] = nodeGyp;
  const r = spawnSync(command, [...lead, ...args], { cwd: nativeDir, env, encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}`, error: r.error };
}

function tail(text, lines = 15) {
  return text.trim().split('\n').slice(-lines).join('\n');
}

if (process.env.CHIMERA_NATIVE === '0' || process.env.CHIMERA_NATIVE === 'skip') skip('CHIMERA_NATIVE=0');

const nodeGyp = findNodeGyp();
if (!nodeGyp) skip('node-gyp not found (no local dependency, none on PATH, none bundled with npm)');
const missing = ['make', 'python3'].filter((t) => !which(t));
if (!which('c++') && !which('g++') && !which('clang++')) missing.push('a C++ compiler (c++/g++/clang++)');
if (missing.length > 0) skip(`missing build tools: ${missing.join(', ')}`);

const env = { ...process.env };
if (existsSync('/usr/include/node/node_api.h') && !env.npm_config_nodedir) {
  // node-gyp would otherwise try to download Node headers (fails offline).
  env.npm_config_nodedir = '/usr';
}
const nodedirArgs = env.npm_config_nodedir ? [`--nodedir=${env.npm_config_nodedir}`] : [];

const cudaHome = process.env.CHIMERA_CUDA === '0' ? null : findCudaHome();
let cudaNote;
if (cudaHome) {
  log(`building with CUDA (${cudaHome}) using ${nodeGyp.join(' ')}`);
  const r = run(
    nodeGyp,
    ['rebuild', ...nodedirArgs, '--', '-Dwith_cuda=true', `-Dcuda_home=${cudaHome}`],
    env,
  );
  if (r.ok && existsSync(addonPath)) {
    writeInfo({ built: true, cuda: true, cudaHome, reason: '' });
    verify();
    process.exit(0);
  }
  cudaNote = `CUDA build failed, built CPU-only: ${tail(r.error ? String(r.error) : r.output, 6)}`;
  log(cudaNote);
} else {
  cudaNote =
    process.env.CHIMERA_CUDA === '0' ? 'CHIMERA_CUDA=0: built CPU-only' : 'nvcc not found: built CPU-only';
  log(`${cudaNote}; using ${nodeGyp.join(' ')}`);
}
const r = run(nodeGyp, ['rebuild', ...nodedirArgs], env);
if (!r.ok || !existsSync(addonPath)) {
  skip(`node-gyp failed: ${tail(r.error ? String(r.error) : r.output)}`);
}
writeInfo({ built: true, cuda: false, reason: cudaNote });
verify();

/** Loads the addon in a child process (a broken binary must not take this script down) and prints its CUDA status. */
function verify() {
  const probe = spawnSync(
    process.execPath,
    ['-e', `const a = require(${JSON.stringify(addonPath)}); console.log(JSON.stringify(a.cudaProbe()))`],
    { encoding: 'utf8' },
  );
  if (probe.status !== 0) {
    log(`built, but loading failed: ${tail(probe.stderr, 5)}`);
    return;
  }
  const status = JSON.parse(probe.stdout);
  log(`built ${addonPath}`);
  log(
    status.available
      ? `CUDA device: ${status.name} (sm ${status.computeCapability})`
      : `CUDA: ${status.reason}`,
  );
}
