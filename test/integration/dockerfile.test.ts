/**
 * The Dockerfile, without a Docker engine: test/support/dockerfile.ts executes its build steps
 * in a clean temporary directory as a shell in the image would (so a broken step fails here),
 * then the image's files are checked (compiled output, production dependencies only) and the
 * image is started as `docker run` would start it: its HEALTHCHECK passes, it consumes from the
 * test run's broker, writes only to its state volume and exits 0 on SIGTERM.
 *
 * Nothing is cached between runs but npm's own cache, which stands for the Dockerfile's
 * `--mount=type=cache,target=/root/.npm`. The npm installs need the registry.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { SyntheticStream } from '../../src/sources/synthetic/stream.js';
import { cleanUpOnExit, forgetChild } from '../support/childCleanup.js';
import { waitUntil } from '../support/daemon.js';
import {
  buildDockerfile,
  healthcheckCommand,
  hostPath,
  imageEnv,
  isIgnored,
  parseDockerignore,
  rewriteImagePaths,
  startCommand,
  type BuildOptions,
  type BuiltImage,
  type BuiltStage,
} from '../support/dockerfile.js';
import { createTopics, kafkaClient, uniqueName } from '../support/kafkaTopics.js';
import { freePort } from '../support/ports.js';
import { parsePromText, sumOf, type Sample } from '../support/promText.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const DOCKERFILE = join(REPO, 'Dockerfile');
/** The image's own directories: rewritten into the temporary directory wherever they appear. */
const IMAGE_PATHS = ['/app', '/etc/driftwatch', '/var/lib/driftwatch'];
const STATE = '/var/lib/driftwatch';
const PACKAGE = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  version: string;
  license: string;
};

/** PATH without the project's node_modules/.bin (npm test puts it first): the image has none. */
function hostPathVariable(): string {
  return (process.env.PATH ?? '')
    .split(':')
    .filter((p) => p !== '' && !p.includes('node_modules'))
    .join(':');
}

const npmSettings = new Map<string, string>();
/** A setting of this machine's npm (its registry, its cache), asked once. */
function npmConfig(key: string): string {
  let value = npmSettings.get(key);
  if (value === undefined) {
    value = execFileSync('npm', ['config', 'get', key], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    npmSettings.set(key, value.trim());
  }
  return value.trim();
}

/**
 * What a `docker build` brings from outside: network settings and the registry. Not the
 * user's npm configuration, HOME or anything `npm test` exports (npm_config_*, NODE_OPTIONS).
 */
function buildOptions(root: string): BuildOptions {
  const env: Record<string, string> = {
    PATH: hostPathVariable(),
    npm_config_registry: npmConfig('registry'),
  };
  for (const k of ['http_proxy', 'https_proxy', 'no_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY']) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  return {
    context: REPO,
    root,
    imagePaths: IMAGE_PATHS,
    cacheMounts: { '/root/.npm': npmConfig('cache') },
    env,
    log: (line) => console.log(`[dockerfile] ${line}`),
  };
}

function tempRoot(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  // Traversable by the image's user when the daemon runs as it (tests run as root).
  chmodSync(dir, 0o755);
  return dir;
}

/** Every file and directory under `root` but the volumes, with size and modification time. */
function snapshot(root: string, exclude: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const full = join(dir, entry);
      if (exclude.includes(full)) continue;
      const st = statSync(full);
      out.set(relative(root, full), `${st.size}:${st.mtimeMs}:${st.mode}`);
      if (st.isDirectory()) walk(full);
    }
  };
  walk(root);
  return out;
}

/** Whether every directory from `/` down to `dir` lets other users through. */
function reachableByOthers(dir: string): boolean {
  for (let d = dir; ; d = dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) return false;
    if (dirname(d) === d) return true;
  }
}

/** uid and gid of a numeric `USER uid[:gid]`. */
function numericUser(user: string | null): { uid: number; gid: number } {
  const m = /^(\d+)(?::(\d+))?$/.exec(user ?? '');
  if (m === null) throw new Error(`USER ${user} is not numeric`);
  return { uid: Number(m[1]), gid: Number(m[2] ?? m[1]) };
}

describe('.dockerignore', () => {
  it('reads patterns as Docker does', () => {
    // The examples of Docker's .dockerignore reference.
    const rules = parseDockerignore(
      '*/temp*\n*/*/temp*\ntemp?\n**/*.go\n*.md\n!README*.md\nREADME-secret.md\n',
    );
    expect(isIgnored(rules, 'somedir/temporary.txt')).toBe(true);
    expect(isIgnored(rules, 'somedir/temp')).toBe(true);
    expect(isIgnored(rules, 'somedir/subdir/temporary.txt')).toBe(true);
    expect(isIgnored(rules, 'tempa')).toBe(true);
    expect(isIgnored(rules, 'tempab')).toBe(false);
    expect(isIgnored(rules, 'temporary.txt')).toBe(false);
    expect(isIgnored(rules, 'main.go')).toBe(true);
    expect(isIgnored(rules, 'a/b/c.go')).toBe(true);
    expect(isIgnored(rules, 'CHANGES.md')).toBe(true);
    expect(isIgnored(rules, 'README-public.md')).toBe(false);
    expect(isIgnored(rules, 'README-secret.md')).toBe(true);
    // A pattern without ** matches at the root only; an excluded directory takes its contents along.
    const more = parseDockerignore('*.log\n/state\nnode_modules\n');
    expect(isIgnored(more, 'a.log')).toBe(true);
    expect(isIgnored(more, 'logs/a.log')).toBe(false);
    expect(isIgnored(more, 'state/windows.ckpt')).toBe(true);
    expect(isIgnored(more, 'src/state/stateFiles.ts')).toBe(false);
    expect(isIgnored(more, 'node_modules/yaml/package.json')).toBe(true);
  });

  it('keeps local state, build output and secrets out of the context, and the sources in', () => {
    const rules = parseDockerignore(readFileSync(join(REPO, '.dockerignore'), 'utf8'));
    const out = [
      'node_modules/yaml/package.json',
      'dist/cli/main.js',
      'state/windows.ckpt',
      'test-results/vitest.json',
      'bench/results/run.json',
      '.git/HEAD',
      '.env',
      'config/driftwatch.yaml',
      'coverage/index.html',
      'npm-debug.log',
    ];
    const kept = [
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'tsconfig.build.json',
      'src/cli/main.ts',
      'src/state/stateFiles.ts',
      'config/driftwatch.example.yaml',
    ];
    expect(out.filter((p) => !isIgnored(rules, p))).toEqual([]);
    expect(kept.filter((p) => isIgnored(rules, p))).toEqual([]);
  });
});

describe('a broken Dockerfile step', () => {
  const text = readFileSync(DOCKERFILE, 'utf8');
  const lineOf = (needle: string): number => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

  // Each breaks the first step of its kind, so that the build fails within a second.
  const cases = [
    {
      what: 'a COPY of a file the context lacks',
      from: 'COPY package.json package-lock.json ./',
      to: 'COPY package.json package-lok.json ./',
      at: 'COPY package.json package-lock.json ./',
      error: /COPY package-lok\.json: not found in the build context/,
    },
    {
      what: 'a COPY of a file .dockerignore leaves out',
      from: 'COPY package.json package-lock.json ./',
      to: 'COPY package.json node_modules ./',
      at: 'COPY package.json package-lock.json ./',
      error: /COPY node_modules: not found in the build context \(or excluded by \.dockerignore\)/,
    },
    {
      what: 'a typo in a RUN command',
      from: 'npx --yes',
      to: 'npxx --yes',
      // The instruction's first line, where the RUN begins.
      at: 'RUN --mount=type=cache',
      error: /RUN .*npxx.* failed \(exit code 127\)/s,
    },
  ];
  for (const c of cases) {
    it(`fails the build: ${c.what}, naming its line`, async () => {
      expect(text).toContain(c.from);
      const dir = tempRoot('driftwatch-dockerfile-broken-');
      try {
        const broken = join(dir, 'Dockerfile');
        const line = lineOf(c.at);
        writeFileSync(broken, text.replace(c.from, c.to));
        const build = buildDockerfile(broken, { ...buildOptions(join(dir, 'root')), log: () => {} });
        await expect(build).rejects.toThrow(c.error);
        await expect(build).rejects.toThrow(`Dockerfile line ${line}:`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe('the image, built from the Dockerfile without Docker', () => {
  let root = '';
  let image: BuiltImage;
  let final: BuiltStage;

  beforeAll(async () => {
    // The steps run with this machine's node: it must be the image's major version.
    const base = /^NODE_IMAGE=(\S+)$/m.exec(
      readFileSync(DOCKERFILE, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('ARG NODE_IMAGE='))
        .map((l) => l.slice(4))
        .join('\n'),
    )?.[1];
    const major = /^node:(\d+)\./.exec(base ?? '')?.[1];
    const hostNode = execFileSync('node', ['-p', 'process.versions.node'], {
      encoding: 'utf8',
      env: { PATH: hostPathVariable() },
    }).trim();
    if (major === undefined || hostNode.split('.')[0] !== major)
      throw new Error(
        `the image is ${base}, but the steps would run with node ${hostNode}: use Node ${major}`,
      );

    root = tempRoot('driftwatch-image-');
    const started = Date.now();
    image = await buildDockerfile(DOCKERFILE, buildOptions(root));
    final = image.final;
    console.log(`[dockerfile] built in ${((Date.now() - started) / 1000).toFixed(1)} s in ${root}`);
  }, 240_000);

  afterAll(() => {
    if (root !== '') rmSync(root, { recursive: true, force: true });
  });

  it('builds every stage on one Node 20 LTS base pinned by its full version', () => {
    const bases = image.stages.map((s) => s.config.base);
    expect(bases.length).toBeGreaterThanOrEqual(2);
    expect(new Set(bases).size).toBe(1);
    expect(bases[0]).toMatch(/^node:20\.\d+\.\d+-bookworm-slim$/);
  });

  it('runs as a non-root numeric user, with the state volume, the port, a health check and `driftwatch run`', () => {
    const c = final.config;
    expect(numericUser(c.user).uid).toBeGreaterThan(0);
    expect(c.volumes).toEqual([STATE]);
    expect(c.exposed).toEqual(['9874']);
    expect(c.env.get('NODE_ENV')).toBe('production');
    expect(c.healthcheck).not.toBeNull();
    expect(c.entrypoint).toEqual({ exec: ['node', '/app/dist/cli/main.js'] });
    expect(c.cmd).toEqual({ exec: ['run', '--config', '/etc/driftwatch/driftwatch.yaml'] });
    expect(c.labels.get('org.opencontainers.image.version')).toBe(PACKAGE.version);
    expect(c.labels.get('org.opencontainers.image.licenses')).toBe(PACKAGE.license);
    expect(c.labels.get('org.opencontainers.image.base.name')).toBe(`docker.io/library/${c.base}`);
    // Only user creation (and chown when not root) is left out.
    expect(image.skipped.length).toBeGreaterThan(0);
    for (const s of image.skipped) expect(s).toMatch(/^line \d+: (useradd|groupadd|chown) /);
  });

  it('holds the compiled output and the production dependencies only', () => {
    const app = (stage: BuiltStage, path: string): string => hostPath(stage.root, path, '/app');
    const build = image.stages.find((s) => s.name === 'build') as BuiltStage;
    expect(existsSync(app(final, 'dist/cli/main.js'))).toBe(true);
    expect(readFileSync(app(final, 'dist/cli/main.js'), 'utf8')).toBe(
      readFileSync(app(build, 'dist/cli/main.js'), 'utf8'),
    );
    for (const absent of ['src', 'test', 'tsconfig.json', 'node_modules/.bin/tsc'])
      expect(existsSync(app(final, absent)), absent).toBe(false);

    // The lockfile says which packages only the development tools need.
    const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean; optional?: boolean; devOptional?: boolean }>;
    };
    const installed = Object.entries(lock.packages).filter(([path]) => path.startsWith('node_modules/'));
    const dev = installed.filter(([, p]) => p.dev === true).map(([path]) => path);
    const prod = installed.filter(([, p]) => !p.dev && !p.optional && !p.devOptional).map(([path]) => path);
    expect(dev).toEqual(expect.arrayContaining(['node_modules/typescript', 'node_modules/vitest']));
    expect(prod).toEqual(expect.arrayContaining(['node_modules/kafkajs', 'node_modules/prom-client']));
    const present = (stage: BuiltStage, path: string): boolean =>
      existsSync(join(app(stage, path), 'package.json'));
    expect(dev.filter((p) => present(final, p))).toEqual([]);
    expect(prod.filter((p) => !present(final, p))).toEqual([]);
    // The check sees dev dependencies where they are: the build stage has them.
    for (const tool of ['typescript', 'vitest', 'eslint', 'prettier', 'tsx', '@types/node'])
      expect(present(build, `node_modules/${tool}`), tool).toBe(true);
  });

  it('starts as `docker run` would: healthy, consuming, writing only to its volume, exit 0 on SIGTERM', async () => {
    const bootstrap = inject('kafkaBootstrap');
    const kafka = kafkaClient(bootstrap);
    const topic = uniqueName('it.image');
    await createTopics(kafka, [topic], 1);

    // As root, driftwatch runs as the image's user, as in a container: then nothing but the
    // volume is writable for it, as with a read-only root file system. (Otherwise, and when
    // the temporary directory is out of that user's reach, the snapshot below still shows
    // any write outside the volume.)
    const switchUser = process.getuid?.() === 0 && reachableByOthers(final.root);
    if (process.getuid?.() === 0 && !switchUser)
      console.log(`[dockerfile] ${final.root} is not reachable by other users: driftwatch runs as root`);
    const asUser = switchUser ? numericUser(final.config.user) : {};

    // The compose stack's baselines, built by its script with the image's driftwatch, where
    // its `baselines` service puts them: in the state volume.
    const baselines = hostPath(final.root, `${STATE}/baselines`);
    execFileSync(process.execPath, [join(REPO, 'deploy/compose/demo-baselines.mjs'), baselines], {
      env: { PATH: hostPathVariable(), DRIFTWATCH_HOME: hostPath(final.root, '/app') },
      cwd: hostPath(final.root, final.config.workdir),
      ...asUser,
      stdio: 'pipe',
    });
    expect(readdirSync(baselines).sort()).toEqual([
      'fraud-scorer.baseline.json',
      'price-estimator.baseline.json',
    ]);

    const port = await freePort();
    const config = `kafka:
  brokers: ["${bootstrap}"]
  client_id: driftwatch-image-test
  group_id: ${uniqueName('image-test')}
  topics:
    predictions: ${topic}
    features: null
  from_beginning: true
  lag_interval: 1s
models:
  - name: fraud-scorer
    baseline: ${STATE}/baselines/fraud-scorer.baseline.json
    window: 10m
    step: 1s
  - name: price-estimator
    window: 10m
    step: 1s
server:
  host: 127.0.0.1
  port: \${DRIFTWATCH_PORT:-9874}
state:
  directory: ${STATE}
`;
    writeFileSync(
      hostPath(final.root, '/etc/driftwatch/driftwatch.yaml'),
      rewriteImagePaths(config, final.root, IMAGE_PATHS),
    );

    const env = {
      PATH: hostPathVariable(),
      HOME: '/nonexistent',
      ...imageEnv(final, IMAGE_PATHS),
      DRIFTWATCH_PORT: String(port),
    };
    const cwd = hostPath(final.root, final.config.workdir);
    const volume = hostPath(final.root, STATE);
    // What the image declares as volumes is not part of its root file system.
    const volumes = final.config.volumes.map((v) => hostPath(final.root, v));
    const before = snapshot(final.root, volumes);

    const [command, ...args] = startCommand(final, IMAGE_PATHS);
    const check = healthcheckCommand(final, IMAGE_PATHS) as string[];
    const daemon: ChildProcess = spawn(command as string, args, { cwd, env, ...asUser, stdio: 'pipe' });
    cleanUpOnExit(daemon);
    let output = '';
    daemon.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    daemon.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => daemon.once('exit', (code) => resolve(code)));
    let exitCode: number | null | undefined;
    void exited.then((code) => (exitCode = code));

    try {
      const healthy = (): Promise<boolean> =>
        new Promise((resolve) => {
          const probe = spawn(check[0] as string, check.slice(1), { cwd, env, ...asUser, stdio: 'ignore' });
          probe.once('exit', (code) => resolve(code === 0));
          probe.once('error', () => resolve(false));
        });
      await waitUntil('the HEALTHCHECK to pass', async () => {
        if (exitCode !== undefined) throw new Error(`driftwatch exited with ${exitCode}:\n${output}`);
        return healthy();
      });

      const url = `http://127.0.0.1:${port}`;
      await waitUntil('readiness (joined the group, baselines loaded)', async () => {
        return (await fetch(`${url}/readyz`)).status === 200;
      });

      // Real demo events; the expected counts come from the events themselves.
      const stream = new SyntheticStream({ seed: 7, driftAt: Number.POSITIVE_INFINITY, invalidShare: 0 });
      const values = Array.from({ length: 300 }, () => stream.next(Date.now()));
      const count = (model: string): number =>
        values.filter((v) => (JSON.parse(v) as { model: string }).model === model).length;
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic, messages: values.map((value) => ({ value })) });
      await producer.disconnect();

      let samples: Sample[] = [];
      const metrics = async (): Promise<Sample[]> =>
        (samples = parsePromText(await (await fetch(`${url}/metrics`)).text()));
      await waitUntil('every event counted', async () => {
        await metrics();
        return (
          sumOf(samples, 'driftwatch_predictions_total', { model: 'fraud-scorer' }) ===
            count('fraud-scorer') &&
          sumOf(samples, 'driftwatch_predictions_total', { model: 'price-estimator' }) ===
            count('price-estimator')
        );
      });
      // Evaluated against the baseline, and checkpointed into the volume.
      await waitUntil('an evaluation and a checkpoint', async () => {
        await metrics();
        return (
          sumOf(samples, 'driftwatch_feature_window_samples', { model: 'fraud-scorer' }) > 0 &&
          sumOf(samples, 'driftwatch_checkpoint_saves_total', { outcome: 'ok' }) > 0
        );
      });
      expect(count('fraud-scorer')).toBeGreaterThan(0);
      expect(count('price-estimator')).toBeGreaterThan(0);
      expect(sumOf(samples, 'driftwatch_checkpoint_saves_total', { outcome: 'failed' })).toBe(0);
      expect(samples.filter((s) => s.name === 'driftwatch_baseline_info').map((s) => s.labels.model)).toEqual(
        ['fraud-scorer'],
      );
      // The version comes from /app/package.json, which the image must hold.
      expect(sumOf(samples, 'driftwatch_build_info', { version: PACKAGE.version })).toBe(1);

      daemon.kill('SIGTERM');
      expect(await exited).toBe(0);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- driftwatch output ---\n${output.slice(-4000)}`);
    } finally {
      if (exitCode === undefined) daemon.kill('SIGKILL');
      forgetChild(daemon);
    }
    expect(readdirSync(volume)).toContain('windows.ckpt');
    if (switchUser)
      expect(statSync(join(volume, 'windows.ckpt')).uid).toBe(numericUser(final.config.user).uid);
    // A read-only root file system would have refused any other write.
    const after = snapshot(final.root, volumes);
    const written = [...after].filter(([path, stat]) => before.get(path) !== stat).map(([path]) => path);
    const removed = [...before.keys()].filter((path) => !after.has(path));
    expect({ written, removed }).toEqual({ written: [], removed: [] });
  });
});
