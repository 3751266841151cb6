/**
 * Runs a Dockerfile without a Docker engine, for test/integration/dockerfile.test.ts: reads the
 * Dockerfile and its .dockerignore, and executes the build steps in a temporary directory as a
 * shell in the image would, so that a broken step (a typo in a RUN, a COPY of a missing or
 * ignored file) fails the tests. Each stage gets its own directory standing for the image's `/`;
 * the base image's own files are the host's (node, npm, sh), so only what the Dockerfile itself
 * adds is checked.
 *
 * What it does per instruction: FROM (a base image, or an earlier stage whose files and
 * settings are copied), ARG (with defaults, before FROM too), ENV, LABEL, WORKDIR, COPY (from
 * the build context filtered by .dockerignore, or --from=<stage>), RUN (shell form through
 * `/bin/sh -c`, as Docker does; exec form directly; with the stage's ARG and ENV values, in
 * its working directory, HOME=/root, and `--mount=type=cache` targets bound to a directory
 * the caller names), USER, VOLUME, EXPOSE, HEALTHCHECK, STOPSIGNAL, ENTRYPOINT and CMD.
 * Other instructions (ADD, SHELL, ONBUILD, heredocs) are refused with a message, never
 * silently ignored.
 *
 * Steps that need root and would change the host are not run: user and group creation
 * (useradd, groupadd, adduser, addgroup, usermod) always, and chown/chgrp unless the tests
 * run as root (numeric ids on files of the temporary directory harm nothing then). They are
 * split off at `&&`, so the other commands of the same RUN still run; what was skipped is
 * reported in `BuiltImage.skipped`.
 *
 * Absolute paths of the image in commands, environment values and the start command (the
 * caller's `imagePaths`, plus every WORKDIR and VOLUME) are rewritten into the stage's
 * directory; other absolute paths (/bin/sh, /usr/bin/node) are the host's.
 */
import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { basename, dirname, join, posix } from 'node:path';

/** One instruction, continuation lines joined, with the line it starts on. */
interface Instruction {
  readonly keyword: string;
  readonly args: string;
  readonly line: number;
}

/** One `FROM` and the instructions up to the next. */
interface StageSource {
  readonly index: number;
  readonly name: string | null;
  readonly from: Instruction;
  readonly instructions: readonly Instruction[];
}

/** A Dockerfile split into its global ARGs (before the first FROM) and its stages. */
interface ParsedDockerfile {
  readonly globalArgs: readonly Instruction[];
  readonly stages: readonly StageSource[];
}

/** A command as Docker holds it: exec form (an argument list) or shell form (one string). */
export type Command = { readonly exec: readonly string[] } | { readonly shell: string };

/** The HEALTHCHECK of a stage: its options (`--interval=30s` as interval → 30s) and command. */
export interface Healthcheck {
  readonly options: Readonly<Record<string, string>>;
  readonly command: Command;
}

/** The image settings a stage ends with (what `docker inspect` shows of an image). */
export interface ImageConfig {
  /** The FROM reference after ARG substitution: an image name, or the stage it builds on. */
  base: string;
  env: Map<string, string>;
  labels: Map<string, string>;
  workdir: string;
  user: string | null;
  volumes: string[];
  exposed: string[];
  healthcheck: Healthcheck | null;
  entrypoint: Command | null;
  cmd: Command | null;
  stopSignal: string | null;
}

/** A built stage: its directory standing for `/`, and its settings. */
export interface BuiltStage {
  readonly name: string;
  readonly root: string;
  readonly config: ImageConfig;
}

/** The result of `buildDockerfile`: every stage, the last one being the image. */
export interface BuiltImage {
  readonly stages: readonly BuiltStage[];
  readonly final: BuiltStage;
  /** Commands not run because they need root, each as `line N: command`. */
  readonly skipped: readonly string[];
}

/** What `buildDockerfile` needs besides the Dockerfile. */
export interface BuildOptions {
  /** The build context directory (its .dockerignore applies). */
  readonly context: string;
  /** An empty directory; stage k is built in `<root>/<stage name or k>`. */
  readonly root: string;
  /** Absolute directories of the image, rewritten into the stage's directory in commands. */
  readonly imagePaths: readonly string[];
  /** `RUN --mount=type=cache,target=T`: the host directory standing for each target T. */
  readonly cacheMounts: Readonly<Record<string, string>>;
  /** The environment every RUN starts from (PATH, proxies, registry), before ARG and ENV. */
  readonly env: Readonly<Record<string, string>>;
  /** `--build-arg` values. */
  readonly buildArgs?: Readonly<Record<string, string>>;
  /** Receives each step as it starts, e.g. for a test's log. */
  readonly log?: (line: string) => void;
  /** Per RUN step; default 300 s. */
  readonly stepTimeoutMs?: number;
}

const ROOT_ONLY = new Set(['useradd', 'groupadd', 'adduser', 'addgroup', 'usermod', 'groupmod']);
const OWNERSHIP = new Set(['chown', 'chgrp']);

// ---- parsing ----

/**
 * Splits Dockerfile text into instructions: comment lines dropped (also inside continued
 * lines, as Docker does), lines ending in a backslash joined to the next, keywords upper-cased.
 */
function parseInstructions(text: string): Instruction[] {
  const lines = text.split(/\r?\n/);
  const out: Instruction[] = [];
  let pending: { parts: string[]; line: number } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const trimmed = raw.trim();
    // Comment lines and empty lines are dropped, also between continued lines.
    if (trimmed.startsWith('#') || trimmed === '') continue;
    const continued = /\\\s*$/.test(raw);
    const part = continued ? raw.replace(/\\\s*$/, '') : raw;
    if (pending === null) pending = { parts: [], line: i + 1 };
    // Docker removes the backslash and the line break only: the next line's indentation stays.
    pending.parts.push(part);
    if (!continued) {
      const joined = pending.parts.join('').trim();
      const match = /^(\S+)\s*(.*)$/s.exec(joined);
      if (match !== null) {
        const args = match[2] ?? '';
        if (/<<-?\s*["']?\w+/.test(args) && /^RUN$|^COPY$/i.test(match[1] ?? ''))
          throw new Error(`Dockerfile line ${pending.line}: heredocs are not supported by this runner`);
        out.push({ keyword: (match[1] ?? '').toUpperCase(), args, line: pending.line });
      }
      pending = null;
    }
  }
  if (pending !== null) throw new Error(`Dockerfile line ${pending.line}: the last line ends in a backslash`);
  return out;
}

/** Parses a Dockerfile into global ARGs and stages; fails when there is no FROM. */
function parseDockerfile(text: string): ParsedDockerfile {
  const globalArgs: Instruction[] = [];
  const stages: { index: number; name: string | null; from: Instruction; instructions: Instruction[] }[] = [];
  for (const ins of parseInstructions(text)) {
    if (ins.keyword === 'FROM') {
      const words = splitWords(ins.args);
      const asAt = words.findIndex((w) => w.toUpperCase() === 'AS');
      const name = asAt >= 0 ? (words[asAt + 1] ?? null) : null;
      stages.push({ index: stages.length, name: name?.toLowerCase() ?? null, from: ins, instructions: [] });
    } else if (stages.length === 0) {
      if (ins.keyword !== 'ARG')
        throw new Error(`Dockerfile line ${ins.line}: only ARG may come before the first FROM`);
      globalArgs.push(ins);
    } else {
      stages[stages.length - 1]?.instructions.push(ins);
    }
  }
  if (stages.length === 0) throw new Error('the Dockerfile has no FROM instruction');
  return { globalArgs, stages };
}

/** Splits on unquoted white space, keeping quotes (for flags and FROM's `AS`). */
function splitWords(s: string): string[] {
  return s.match(/(?:[^\s"']+|"(?:\\.|[^"\\])*"|'[^']*')+/g) ?? [];
}

/**
 * Docker's word processing for non-RUN instructions: `$VAR`, `${VAR}`, `${VAR:-default}`,
 * `${VAR:+alternative}` replaced (not inside single quotes), quotes removed, backslash
 * escapes resolved, split on unquoted white space.
 */
function expandWords(s: string, vars: ReadonlyMap<string, string>): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const variable = (): string => {
    // s[i] === '$'
    const braced = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([-+])((?:[^}\\]|\\.)*))?\}/.exec(s.slice(i));
    if (braced !== null) {
      i += braced[0].length;
      const value = vars.get(braced[1] ?? '');
      if (braced[2] === '-') return value !== undefined && value !== '' ? value : (braced[3] ?? '');
      if (braced[2] === '+') return value !== undefined && value !== '' ? (braced[3] ?? '') : '';
      return value ?? '';
    }
    const plain = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(s.slice(i));
    if (plain !== null) {
      i += plain[0].length;
      return vars.get(plain[1] ?? '') ?? '';
    }
    i += 1;
    return '$';
  };
  while (i < s.length) {
    const c = s[i] as string;
    if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i += 1;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated single quote in: ${s}`);
      word += s.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i += 1;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < s.length && '"\\$'.includes(s[i + 1] as string)) {
          word += s[i + 1];
          i += 2;
        } else if (s[i] === '$') {
          word += variable();
        } else {
          word += s[i];
          i += 1;
        }
      }
      if (i >= s.length) throw new Error(`unterminated double quote in: ${s}`);
      i += 1;
    } else if (c === '\\' && i + 1 < s.length) {
      word += s[i + 1];
      i += 2;
    } else if (c === '$') {
      word += variable();
    } else {
      word += c;
      i += 1;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** Exec form (a JSON array of strings) or shell form. */
function parseCommand(args: string): Command {
  const trimmed = args.trim();
  if (trimmed.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed) && parsed.every((a) => typeof a === 'string')) return { exec: parsed };
    } catch {
      // Not JSON: Docker runs it in shell form.
    }
  }
  return { shell: trimmed };
}

/** Leading `--name=value` (or `--name`) flags of an instruction, and the rest. */
function takeFlags(args: string): { flags: Map<string, string[]>; rest: string } {
  const flags = new Map<string, string[]>();
  let rest = args.trim();
  for (;;) {
    const m = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(rest);
    if (m === null) break;
    flags.set(m[1] ?? '', [...(flags.get(m[1] ?? '') ?? []), m[2] ?? 'true']);
    rest = rest.slice(m[0].length);
  }
  return { flags, rest };
}

// ---- .dockerignore ----

/** One .dockerignore line: a compiled pattern, and whether it is an exception (`!`). */
export interface IgnoreRule {
  readonly pattern: string;
  readonly negate: boolean;
  readonly regex: RegExp;
}

/**
 * Parses .dockerignore as Docker does (moby's patternmatcher): one pattern per line, `#`
 * comments, relative to the context root (a leading `/` is dropped, paths are cleaned),
 * `*` and `?` within a path segment, `**` across any number of segments, `[...]` classes,
 * `!` to take a path back in; the last matching line decides.
 */
export function parseDockerignore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    if (negate) line = line.slice(1).trim();
    const pattern = posix.normalize(line).replace(/^\/+/, '').replace(/\/+$/, '');
    if (pattern === '' || pattern === '.') continue;
    rules.push({ pattern, negate, regex: compilePattern(pattern) });
  }
  return rules;
}

function compilePattern(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*' && pattern[i + 1] === '*') {
      const atStart = i === 0 || pattern[i - 1] === '/';
      i += 1;
      if (atStart && pattern[i + 1] === '/') {
        re += '(?:.*/)?';
        i += 1;
      } else {
        re += '.*';
      }
    } else if (c === '*') {
      re += '[^/]*';
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) throw new Error(`.dockerignore: unterminated [ in ${pattern}`);
      const body = pattern
        .slice(i + 1, end)
        .replace(/^!/, '^')
        .replace(/\\/g, '\\\\');
      re += `[${body}]`;
      i = end;
    } else if (c === '\\' && i + 1 < pattern.length) {
      i += 1;
      re += (pattern[i] as string).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else {
      re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${re}$`);
}

/** Whether `path` (relative to the context, `/`-separated) is left out of the build context. */
export function isIgnored(rules: readonly IgnoreRule[], path: string): boolean {
  const segments = path.split('/');
  const candidates = segments.map((_, k) => segments.slice(0, k + 1).join('/'));
  let ignored = false;
  for (const rule of rules) {
    // A pattern matching a directory matches everything in it (moby: MatchesOrParentMatches).
    if (candidates.some((c) => rule.regex.test(c))) ignored = !rule.negate;
  }
  return ignored;
}

/** Whether a directory may hold a path that an exception (`!`) takes back in. */
function mayHoldException(rules: readonly IgnoreRule[], dir: string): boolean {
  return rules.some(
    (r) =>
      r.negate && (r.pattern.startsWith(`${dir}/`) || /^[*?[]/.test(r.pattern) || r.pattern.startsWith('**')),
  );
}

/**
 * The files and directories under `rel` (a context path; '' for the whole context) that the
 * build context holds, as paths relative to the context.
 */
function contextEntries(context: string, rules: readonly IgnoreRule[], rel: string): string[] {
  const out: string[] = [];
  const walk = (r: string): void => {
    const full = join(context, r);
    const ignored = r !== '' && isIgnored(rules, r);
    if (!ignored) out.push(r);
    if (lstatSync(full).isDirectory() && (!ignored || mayHoldException(rules, r)))
      for (const entry of readdirSync(full).sort()) walk(r === '' ? entry : `${r}/${entry}`);
  };
  walk(rel);
  return out;
}

// ---- building ----

function stageDirName(stage: StageSource): string {
  return stage.name ?? String(stage.index);
}

/** Rewrites the image's absolute paths (`prefixes`) in `text` into `root`. */
export function rewriteImagePaths(text: string, root: string, prefixes: readonly string[]): string {
  const sorted = [...new Set(prefixes)].filter((p) => p !== '/').sort((a, b) => b.length - a.length);
  if (sorted.length === 0) return text;
  const alternatives = sorted.map((p) => p.replace(/\/+$/, '').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
  const re = new RegExp(`(^|[\\s'"=:,(\\[])(${alternatives.join('|')})(?=$|[/\\s'"),;:\\]])`, 'g');
  return text.replace(re, (_m, before: string, path: string) => `${before}${join(root, path)}`);
}

/** Where image path `path` (absolute, or relative to `workdir`) lives in a stage's directory. */
export function hostPath(root: string, path: string, workdir = '/'): string {
  return join(root, posix.resolve(workdir, path));
}

function emptyConfig(base: string): ImageConfig {
  return {
    base,
    env: new Map(),
    labels: new Map(),
    workdir: '/',
    user: null,
    volumes: [],
    exposed: [],
    healthcheck: null,
    entrypoint: null,
    cmd: null,
    stopSignal: null,
  };
}

function cloneConfig(c: ImageConfig, base: string): ImageConfig {
  return {
    ...c,
    base,
    env: new Map(c.env),
    labels: new Map(c.labels),
    volumes: [...c.volumes],
    exposed: [...c.exposed],
  };
}

/** The key=value pairs of ENV, LABEL and ARG (`ENV KEY value`, the old form, too). */
function keyValues(args: string, vars: ReadonlyMap<string, string>, line: number): [string, string][] {
  const words = expandWords(args, vars);
  if (words.length >= 1 && !(words[0] ?? '').includes('=')) {
    // `ENV KEY value with spaces`: everything after the key is the value.
    const key = words[0] as string;
    const value = args
      .trim()
      .slice(args.trim().indexOf(key) + key.length)
      .trim();
    return [[key, expandWords(value, vars).join(' ')]];
  }
  return words.map((w) => {
    const eq = w.indexOf('=');
    if (eq <= 0) throw new Error(`Dockerfile line ${line}: expected KEY=value, got "${w}"`);
    return [w.slice(0, eq), w.slice(eq + 1)];
  });
}

/**
 * Splits a shell command at top-level `&&`, so that the commands needing root can be left out
 * while the others still run.
 */
function splitAndList(command: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quote: string | null = null;
  for (let i = 0; i < command.length; i++) {
    const c = command[i] as string;
    if (quote !== null) {
      if (c === '\\' && quote === '"') {
        current += c + (command[i + 1] ?? '');
        i += 1;
        continue;
      }
      if (c === quote) quote = null;
      current += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      current += c;
    } else if (c === '\\') {
      current += c + (command[i + 1] ?? '');
      i += 1;
    } else if (c === '&' && command[i + 1] === '&') {
      parts.push(current.trim());
      current = '';
      i += 1;
    } else {
      current += c;
    }
  }
  parts.push(current.trim());
  return parts.filter((p) => p !== '');
}

function commandName(segment: string): string {
  return basename(segment.trim().split(/\s+/)[0] ?? '');
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Runs one process to completion; rejects with its output when it fails or times out. */
function runStep(
  what: string,
  file: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (d: Buffer): void => {
      output = (output + d.toString()).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${what}: could not start ${file}: ${error.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `${what} failed (${signal !== null ? `killed by ${signal}` : `exit code ${code}`}):\n${output.trimEnd()}`,
          ),
        );
    });
  });
}

/**
 * Builds every stage of `dockerfile` in `options.root`; resolves with the stages' directories
 * and settings, or rejects at the first step that fails, naming its Dockerfile line.
 */
export async function buildDockerfile(dockerfile: string, options: BuildOptions): Promise<BuiltImage> {
  const parsed = parseDockerfile(readFileSync(dockerfile, 'utf8'));
  const ignorePath = join(options.context, '.dockerignore');
  const rules = existsSync(ignorePath) ? parseDockerignore(readFileSync(ignorePath, 'utf8')) : [];
  const log = options.log ?? (() => {});
  const timeoutMs = options.stepTimeoutMs ?? 300_000;
  const buildArgs = new Map(Object.entries(options.buildArgs ?? {}));

  // Global ARGs: usable in FROM lines, and in a stage after an `ARG NAME` without a value.
  const globalArgs = new Map<string, string>();
  for (const ins of parsed.globalArgs)
    for (const [k, v] of argDeclarations(ins, globalArgs)) globalArgs.set(k, buildArgs.get(k) ?? v ?? '');

  const built: BuiltStage[] = [];
  const skipped: string[] = [];
  for (const stage of parsed.stages) {
    const fromWords = expandWords(takeFlags(stage.from.args).rest, globalArgs);
    const base = fromWords[0];
    if (base === undefined) throw new Error(`Dockerfile line ${stage.from.line}: FROM without an image`);
    const root = join(options.root, stageDirName(stage));
    const parent = built.find((b) => b.name === base.toLowerCase());
    if (parent !== undefined) cpSync(parent.root, root, { recursive: true, verbatimSymlinks: true });
    else mkdirSync(root, { recursive: true });
    const config = parent !== undefined ? cloneConfig(parent.config, base) : emptyConfig(base);
    const args = new Map<string, string>();
    const vars = (): Map<string, string> => new Map([...args, ...config.env]);
    const paths = (): string[] => [...options.imagePaths, config.workdir, ...config.volumes, '/root'];
    log(`stage ${stageDirName(stage)}: FROM ${base}`);

    for (const ins of stage.instructions) {
      const where = `Dockerfile line ${ins.line}`;
      switch (ins.keyword) {
        case 'ARG':
          for (const [k, v] of argDeclarations(ins, vars()))
            args.set(k, buildArgs.get(k) ?? v ?? globalArgs.get(k) ?? '');
          break;
        case 'ENV':
          for (const [k, v] of keyValues(ins.args, vars(), ins.line)) config.env.set(k, v);
          break;
        case 'LABEL':
          for (const [k, v] of keyValues(ins.args, vars(), ins.line)) config.labels.set(k, v);
          break;
        case 'WORKDIR': {
          const [dir] = expandWords(ins.args, vars());
          if (dir === undefined) throw new Error(`${where}: WORKDIR without a path`);
          config.workdir = posix.resolve(config.workdir, dir);
          mkdirSync(hostPath(root, config.workdir), { recursive: true });
          break;
        }
        case 'COPY':
          log(`${where}: COPY ${ins.args}`);
          copy(ins, root, config, vars(), built, options.context, rules);
          break;
        case 'RUN': {
          const { flags, rest } = takeFlags(ins.args);
          const command = parseCommand(rest);
          const env: NodeJS.ProcessEnv = {
            ...options.env,
            HOME: hostPath(root, '/root'),
            ...Object.fromEntries(args),
          };
          for (const [k, v] of config.env) env[k] = rewriteImagePaths(v, root, paths());
          mkdirSync(hostPath(root, '/root'), { recursive: true });
          const cwd = hostPath(root, config.workdir);
          const unmount = mountCaches(flags, root, options.cacheMounts, where);
          try {
            if ('exec' in command) {
              const [file, ...rest2] = command.exec.map((a) => rewriteImagePaths(a, root, paths()));
              if (file === undefined) throw new Error(`${where}: RUN with an empty command`);
              log(`${where}: RUN ${command.exec.join(' ')}`);
              await runStep(`${where}: RUN ${command.exec.join(' ')}`, file, rest2, cwd, env, timeoutMs);
            } else {
              const kept: string[] = [];
              for (const segment of splitAndList(command.shell)) {
                const name = commandName(segment);
                if (ROOT_ONLY.has(name) || (OWNERSHIP.has(name) && !isRoot())) {
                  if (/[;|]/.test(segment))
                    throw new Error(`${where}: cannot separate "${segment}" from the commands around it`);
                  skipped.push(`line ${ins.line}: ${segment}`);
                } else {
                  kept.push(segment);
                }
              }
              if (kept.length > 0) {
                const shell = rewriteImagePaths(kept.join(' && '), root, paths());
                log(`${where}: RUN ${kept.join(' && ')}`);
                await runStep(
                  `${where}: RUN ${command.shell}`,
                  '/bin/sh',
                  ['-c', shell],
                  cwd,
                  env,
                  timeoutMs,
                );
              }
            }
          } finally {
            unmount();
          }
          break;
        }
        case 'USER':
          config.user = expandWords(ins.args, vars())[0] ?? null;
          break;
        case 'VOLUME': {
          const command = parseCommand(ins.args);
          const list = 'exec' in command ? [...command.exec] : expandWords(command.shell, vars());
          for (const v of list) {
            config.volumes.push(posix.resolve('/', v));
            mkdirSync(hostPath(root, v), { recursive: true });
          }
          break;
        }
        case 'EXPOSE':
          config.exposed.push(...expandWords(ins.args, vars()));
          break;
        case 'HEALTHCHECK': {
          const { flags, rest } = takeFlags(ins.args);
          if (/^NONE$/i.test(rest.trim())) {
            config.healthcheck = null;
            break;
          }
          const m = /^CMD\s+(.*)$/is.exec(rest.trim());
          if (m === null) throw new Error(`${where}: HEALTHCHECK needs CMD or NONE`);
          const opts = Object.fromEntries([...flags].map(([k, v]) => [k, v[v.length - 1] ?? '']));
          config.healthcheck = { options: opts, command: parseCommand(m[1] ?? '') };
          break;
        }
        case 'STOPSIGNAL':
          config.stopSignal = expandWords(ins.args, vars())[0] ?? null;
          break;
        case 'ENTRYPOINT':
          config.entrypoint = parseCommand(ins.args);
          // Docker: a new ENTRYPOINT resets the CMD inherited from the base.
          config.cmd = null;
          break;
        case 'CMD':
          config.cmd = parseCommand(ins.args);
          break;
        default:
          throw new Error(
            `${where}: ${ins.keyword} is not supported by this runner (see test/support/dockerfile.ts)`,
          );
      }
    }
    built.push({ name: stageDirName(stage), root, config });
  }
  const final = built[built.length - 1] as BuiltStage;
  return { stages: built, final, skipped };
}

/** The names (and defaults) an ARG instruction declares. */
function argDeclarations(
  ins: Instruction,
  vars: ReadonlyMap<string, string>,
): [string, string | undefined][] {
  return expandWords(ins.args, vars).map((w) => {
    const eq = w.indexOf('=');
    return eq < 0 ? [w, undefined] : [w.slice(0, eq), w.slice(eq + 1)];
  });
}

/** Binds `RUN --mount=type=cache,target=...` to the caller's directories; returns the unbind. */
function mountCaches(
  flags: ReadonlyMap<string, string[]>,
  root: string,
  cacheMounts: Readonly<Record<string, string>>,
  where: string,
): () => void {
  for (const flag of flags.keys())
    if (flag !== 'mount') throw new Error(`${where}: RUN --${flag} is not supported by this runner`);
  const links: string[] = [];
  for (const spec of flags.get('mount') ?? []) {
    const fields = new Map(
      spec.split(',').map((kv) => {
        const eq = kv.indexOf('=');
        return eq < 0 ? [kv, 'true'] : [kv.slice(0, eq), kv.slice(eq + 1)];
      }),
    );
    const target = fields.get('target') ?? fields.get('dst') ?? fields.get('destination');
    if (fields.get('type') !== 'cache' || target === undefined)
      throw new Error(`${where}: only RUN --mount=type=cache,target=... is supported, not ${spec}`);
    const source = cacheMounts[target];
    if (source === undefined)
      throw new Error(`${where}: no host directory given for the cache mount ${target}`);
    const link = hostPath(root, target);
    if (existsSync(link))
      throw new Error(`${where}: the cache mount ${target} would hide a file of the image`);
    mkdirSync(source, { recursive: true });
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(source, link);
    links.push(link);
  }
  // A mount is not part of the layer: it goes away after the step.
  return () => links.forEach((l) => rmSync(l, { force: true }));
}

function copy(
  ins: Instruction,
  root: string,
  config: ImageConfig,
  vars: ReadonlyMap<string, string>,
  built: readonly BuiltStage[],
  context: string,
  rules: readonly IgnoreRule[],
): void {
  const where = `Dockerfile line ${ins.line}`;
  const { flags, rest } = takeFlags(ins.args);
  for (const flag of flags.keys())
    if (!['from', 'chown', 'link'].includes(flag))
      throw new Error(`${where}: COPY --${flag} is not supported by this runner`);
  const command = parseCommand(rest);
  const words = 'exec' in command ? [...command.exec] : expandWords(command.shell, vars);
  if (words.length < 2) throw new Error(`${where}: COPY needs a source and a destination`);
  const dest = words[words.length - 1] as string;
  const sources = words.slice(0, -1);
  const destPath = hostPath(root, dest, config.workdir);
  const intoDirectory = dest.endsWith('/') || sources.length > 1 || isDirectory(destPath);
  const from = flags.get('from')?.[0];

  // Each source as (host path, name in the destination); fails for what is not there.
  const resolved: { path: string; name: string; filter: (src: string) => boolean }[] = [];
  if (from !== undefined) {
    const stage = built.find((b) => b.name === from.toLowerCase() || String(built.indexOf(b)) === from);
    if (stage === undefined)
      throw new Error(
        `${where}: COPY --from=${from}: no earlier stage of that name (images are not supported)`,
      );
    for (const src of sources) {
      const path = hostPath(stage.root, src, stage.config.workdir);
      if (!existsSync(path))
        throw new Error(`${where}: COPY --from=${from} ${src}: not found in stage ${stage.name}`);
      resolved.push({ path, name: basename(path), filter: () => true });
    }
  } else {
    for (const src of sources) {
      const rel = posix.normalize(src).replace(/^\/+/, '').replace(/\/+$/, '');
      const matches = /[*?[]/.test(rel) ? globContext(context, rules, rel) : [rel];
      const present = matches.filter(
        (m) => (m === '.' || existsSync(join(context, m))) && (m === '.' || !isIgnored(rules, m)),
      );
      if (present.length === 0)
        throw new Error(
          `${where}: COPY ${src}: not found in the build context (or excluded by .dockerignore)`,
        );
      for (const m of present) {
        // What to copy: the kept entries and the directories leading to them.
        const kept = new Set<string>();
        for (const e of contextEntries(context, rules, m === '.' ? '' : m)) {
          for (let p = e; p !== '' && p !== '.' && !kept.has(join(context, p)); p = posix.dirname(p))
            kept.add(join(context, p));
        }
        resolved.push({ path: join(context, m), name: basename(m), filter: (s) => kept.has(s) });
      }
    }
  }
  for (const { path, name, filter } of resolved) {
    // A directory's contents are copied, not the directory itself (Docker's rule).
    const target = statSync(path).isDirectory() ? destPath : intoDirectory ? join(destPath, name) : destPath;
    mkdirSync(statSync(path).isDirectory() ? target : dirname(target), { recursive: true });
    cpSync(path, target, { recursive: true, filter: (src) => src === path || filter(src) });
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Context paths matching a source with wildcards (in its last segment only). */
function globContext(context: string, rules: readonly IgnoreRule[], pattern: string): string[] {
  const dir = posix.dirname(pattern);
  if (/[*?[]/.test(dir))
    throw new Error(`COPY ${pattern}: wildcards are supported in the last path segment only`);
  const re = compilePattern(posix.basename(pattern));
  const full = join(context, dir);
  if (!isDirectory(full)) return [];
  return readdirSync(full)
    .filter((e) => re.test(e))
    .map((e) => (dir === '.' ? e : `${dir}/${e}`))
    .filter((e) => !isIgnored(rules, e));
}

/**
 * The start command of an image (ENTRYPOINT followed by CMD, Docker's rule), its image paths
 * rewritten into `root`: what `docker run <image>` executes.
 */
export function startCommand(image: BuiltStage, imagePaths: readonly string[]): string[] {
  const c = image.config;
  const prefixes = [...imagePaths, c.workdir, ...c.volumes];
  const asList = (cmd: Command | null): string[] =>
    cmd === null ? [] : 'exec' in cmd ? [...cmd.exec] : ['/bin/sh', '-c', cmd.shell];
  const entry = asList(c.entrypoint);
  // A shell-form ENTRYPOINT ignores CMD.
  const all = c.entrypoint !== null && 'shell' in c.entrypoint ? entry : [...entry, ...asList(c.cmd)];
  return all.map((a) => rewriteImagePaths(a, image.root, prefixes));
}

/** The HEALTHCHECK command of an image, rewritten like `startCommand`; null without one. */
export function healthcheckCommand(image: BuiltStage, imagePaths: readonly string[]): string[] | null {
  const h = image.config.healthcheck;
  if (h === null) return null;
  const prefixes = [...imagePaths, image.config.workdir, ...image.config.volumes];
  const list = 'exec' in h.command ? [...h.command.exec] : ['/bin/sh', '-c', h.command.shell];
  return list.map((a) => rewriteImagePaths(a, image.root, prefixes));
}

/** The image's environment (ENV), values rewritten like `startCommand`. */
export function imageEnv(image: BuiltStage, imagePaths: readonly string[]): Record<string, string> {
  const prefixes = [...imagePaths, image.config.workdir, ...image.config.volumes];
  return Object.fromEntries(
    [...image.config.env].map(([k, v]) => [k, rewriteImagePaths(v, image.root, prefixes)]),
  );
}
