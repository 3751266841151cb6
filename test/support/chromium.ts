/**
 * Renders HTML files in a real headless Chromium for the tests that check what a browser makes of
 * driftwatch's HTML output (test/integration/htmlReport.test.ts, the replay CLI test): a PNG
 * screenshot and the DOM the browser parsed. Also a minimal PNG reader (8-bit RGB/RGBA, what
 * Chromium writes) so tests can check a screenshot's size and that something was drawn.
 *
 * Chromium is found as CHROMIUM_BIN, else `chromium` or `chromium-browser` on PATH; when none is
 * there the call fails with the install hint: tests never skip for a missing browser.
 */

import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';

const INSTALL_HINT = 'run `bash scripts/install-test-deps.sh` (Debian: installs the `chromium` package)';

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The Chromium binary to run: CHROMIUM_BIN (a path or a name on PATH), else `chromium`, else
 * `chromium-browser`. Throws with the install hint when none is found.
 */
export function findChromium(): string {
  const fromEnv = process.env.CHROMIUM_BIN;
  const names = fromEnv ? [fromEnv] : ['chromium', 'chromium-browser'];
  const dirs = (process.env.PATH ?? '').split(delimiter).filter((d) => d !== '');
  for (const name of names) {
    if (name.includes('/')) {
      if (isExecutable(name)) return resolve(name);
      continue;
    }
    for (const dir of dirs) {
      const candidate = join(dir, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  const tried = fromEnv ? `CHROMIUM_BIN=${fromEnv}` : '`chromium` and `chromium-browser` on PATH';
  throw new Error(`Chromium not found (tried ${tried}); ${INSTALL_HINT}, or set CHROMIUM_BIN`);
}

export interface RenderOptions {
  /** Where to keep the screenshot; by default it is only returned. */
  readonly screenshot?: string;
  /** Viewport in CSS pixels (at device scale 1, so the PNG has exactly this size). Default 1280 × 4000. */
  readonly width?: number;
  readonly height?: number;
  /** Per Chromium run. Default 60 s. */
  readonly timeoutMs?: number;
}

export interface RenderResult {
  /** The screenshot of the top `width` × `height` pixels of the page. */
  readonly png: Buffer;
  /** `--dump-dom`: the document as the browser parsed it, serialised. */
  readonly dom: string;
}

interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
}

function baseArgs(profileDir: string, width: number, height: number): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--hide-scrollbars',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-extensions',
    '--disable-background-networking',
    '--disable-sync',
    '--disable-component-update',
    '--mute-audio',
    // Device scale 1: the screenshot is exactly width × height pixels on any display setting.
    '--force-device-scale-factor=1',
    `--window-size=${width},${height}`,
    `--user-data-dir=${profileDir}`,
  ];
}

function run(bin: string, args: readonly string[], timeoutMs: number): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    // Its own process group, so a timeout ends Chromium's helper processes along with it.
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${bin}: ${e.message}; ${INSTALL_HINT}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      const tail = stderr.trimEnd().split('\n').slice(-20).join('\n');
      if (timedOut) {
        reject(
          new Error(
            `${bin} did not finish within ${timeoutMs} ms (${args.at(-1)}); ` +
              `a page that runs script and opens a dialog (alert) never finishes\n${tail}`,
          ),
        );
      } else if (code !== 0) {
        reject(new Error(`${bin} exited with ${code ?? signal} (${args.at(-1)})\n${tail}`));
      } else {
        resolvePromise({ stdout, stderr });
      }
    });
  });
}

/**
 * Opens `htmlFile` in headless Chromium twice, in parallel (a screenshot run and a --dump-dom
 * run: one invocation does only one of them), each with a throw-away profile. Called by
 * integration tests; needs no network, and nothing is left running or on disk but `screenshot`.
 */
export async function renderInChromium(htmlFile: string, options: RenderOptions = {}): Promise<RenderResult> {
  const bin = findChromium();
  const width = options.width ?? 1280;
  const height = options.height ?? 4000;
  const timeoutMs = options.timeoutMs ?? 60_000;
  if (!existsSync(htmlFile)) throw new Error(`no such file: ${htmlFile}`);
  const url = pathToFileURL(resolve(htmlFile)).href;
  const work = await mkdtemp(join(tmpdir(), 'driftwatch-chromium-'));
  try {
    const shotFile = options.screenshot ?? join(work, 'screenshot.png');
    const [, dumped] = await Promise.all([
      run(
        bin,
        [...baseArgs(join(work, 'profile-shot'), width, height), `--screenshot=${shotFile}`, url],
        timeoutMs,
      ),
      run(bin, [...baseArgs(join(work, 'profile-dom'), width, height), '--dump-dom', url], timeoutMs),
    ]);
    if (!existsSync(shotFile)) throw new Error(`${bin} wrote no screenshot to ${shotFile}`);
    return { png: await readFile(shotFile), dom: dumped.stdout };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A PNG's header fields (IHDR). */
export interface PngHeader {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  readonly colourType: number;
  readonly interlace: number;
}

/** True when `data` starts with the PNG signature. */
export function isPng(data: Buffer): boolean {
  return data.length >= 8 && data.subarray(0, 8).equals(PNG_SIGNATURE);
}

function chunks(png: Buffer): { type: string; data: Buffer }[] {
  if (!isPng(png)) throw new Error('not a PNG (bad signature)');
  const out: { type: string; data: Buffer }[] = [];
  let at = 8;
  while (at + 8 <= png.length) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    out.push({ type, data: png.subarray(at + 8, at + 8 + length) });
    at += 12 + length;
    if (type === 'IEND') break;
  }
  return out;
}

/** Reads the IHDR chunk; throws when the data is not a PNG. */
export function readPngHeader(png: Buffer): PngHeader {
  const ihdr = chunks(png)[0];
  if (ihdr === undefined || ihdr.type !== 'IHDR') throw new Error('PNG without IHDR first');
  const d = ihdr.data;
  return {
    width: d.readUInt32BE(0),
    height: d.readUInt32BE(4),
    bitDepth: d.readUInt8(8),
    colourType: d.readUInt8(9),
    interlace: d.readUInt8(12),
  };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Decoded pixels, RGB(A) rows without filter bytes. */
export interface PngPixels {
  readonly header: PngHeader;
  readonly channels: number;
  readonly data: Buffer;
}

/** Decodes an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium writes); throws on others. */
export function decodePng(png: Buffer): PngPixels {
  const header = readPngHeader(png);
  const channels = header.colourType === 6 ? 4 : header.colourType === 2 ? 3 : 0;
  if (header.bitDepth !== 8 || channels === 0 || header.interlace !== 0) {
    throw new Error(`unsupported PNG: depth ${header.bitDepth}, colour type ${header.colourType}`);
  }
  const raw = inflateSync(
    Buffer.concat(
      chunks(png)
        .filter((c) => c.type === 'IDAT')
        .map((c) => c.data),
    ),
  );
  const stride = header.width * channels;
  if (raw.length < header.height * (stride + 1)) throw new Error('PNG image data is truncated');
  const data = Buffer.alloc(header.height * stride);
  for (let y = 0; y < header.height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    for (let i = 0; i < stride; i++) {
      const x = raw[src + i]!;
      const a = i >= channels ? data[row + i - channels]! : 0;
      const b = y > 0 ? data[row - stride + i]! : 0;
      const c = i >= channels && y > 0 ? data[row - stride + i - channels]! : 0;
      let v: number;
      switch (filter) {
        case 0:
          v = x;
          break;
        case 1:
          v = x + a;
          break;
        case 2:
          v = x + b;
          break;
        case 3:
          v = x + ((a + b) >> 1);
          break;
        case 4:
          v = x + paeth(a, b, c);
          break;
        default:
          throw new Error(`bad PNG filter ${filter} in row ${y}`);
      }
      data[row + i] = v & 0xff;
    }
  }
  return { header, channels, data };
}

/** What a screenshot shows, in numbers a test can bound. */
export interface PixelStats {
  readonly pixels: number;
  /** Pixels differing from the top-left pixel (the page background) in any RGB channel. */
  readonly nonBackground: number;
  /** Distinct RGB colours (a blank page has one; text and charts bring many). */
  readonly distinctColours: number;
}

/** Counts what differs from the background in a PNG; used to tell a drawn page from a blank one. */
export function pixelStats(png: Buffer): PixelStats {
  const { header, channels, data } = decodePng(png);
  const bg = [data[0], data[1], data[2]];
  const colours = new Set<number>();
  let nonBackground = 0;
  for (let at = 0; at + 2 < data.length; at += channels) {
    const r = data[at]!;
    const g = data[at + 1]!;
    const b = data[at + 2]!;
    colours.add((r << 16) | (g << 8) | b);
    if (r !== bg[0] || g !== bg[1] || b !== bg[2]) nonBackground++;
  }
  return { pixels: header.width * header.height, nonBackground, distinctColours: colours.size };
}
