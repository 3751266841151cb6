#!/usr/bin/env node
/**
 * The `driftwatch` command. The only module that may exit the process: every other one
 * returns or throws, and errors are turned into a message and an exit code here.
 * Exit codes: 0 success, 1 invalid configuration (check-config) or failure, 2 bad usage or bad
 * input (a baseline or input file that cannot be used; `replay` exits 2 on every error of its input).
 */
import { watchFile } from 'node:fs';

import { Command, InvalidArgumentError } from 'commander';

import { DriftwatchError, type ErrorCode } from '../errors.js';
import { readVersion } from '../version.js';
import { registerBaselineCommands } from './baseline.js';
import { registerReplayCommand } from './replay.js';
import { registerSilenceCommand } from './silence.js';

// Each command imports what it needs when it runs (the daemon's Kafka client, metrics and config
// parser weigh some 25 MB of resident memory that `replay` and `baseline` have no use for).

/** SIGTERM must end the process within 10 s; this leaves a margin for the last commit. */
const SHUTDOWN_DEADLINE_MS = 9_000;
const DEFAULT_CONFIG = 'config/driftwatch.yaml';
/** Errors that mean "what you gave me is wrong" exit with 2, as usage errors do; others with 1. */
const BAD_INPUT: ReadonlySet<ErrorCode> = new Set([
  'DW_USAGE',
  'DW_BASELINE_INVALID',
  'DW_INPUT_INVALID',
  'DW_INPUT_READ',
]);

function integer(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(`${name} must be an integer >= ${min}`);
    return n;
  };
}

/** How often --watch-config looks at the file. */
const WATCH_INTERVAL_MS = 2_000;

async function run(configFile: string, watchConfig: boolean): Promise<void> {
  const [{ Daemon }, { loadConfig }, { createLogger }] = await Promise.all([
    import('../app.js'),
    import('../config/load.js'),
    import('../telemetry/logger.js'),
  ]);
  const config = loadConfig(configFile);
  if (config.kafka === null) {
    throw new DriftwatchError(
      'DW_USAGE',
      `${configFile}: driftwatch run needs a kafka section (kafka.brokers)`,
    );
  }
  const logger = createLogger(config.logging.level);
  const daemon = new Daemon({ config, logger, version: readVersion() });

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: finishing the batch in hand');
    const deadline = setTimeout(() => {
      logger.error({ deadlineMs: SHUTDOWN_DEADLINE_MS }, 'shutdown deadline passed; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    daemon.stop().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  // SIGHUP (or, with --watch-config, a change of the file): re-read the file and swap in its
  // models; anything wrong keeps the running state.
  const reload = (why: string): void => {
    if (stopping) return;
    logger.info({ config: configFile, why }, 'reloading the configuration');
    let next: ReturnType<typeof loadConfig>;
    try {
      next = loadConfig(configFile);
    } catch (error) {
      logger.error(
        { err: error },
        'reload refused: the configuration is invalid; still running the previous one',
      );
      return;
    }
    daemon.reload(next).catch((error: unknown) => {
      logger.error({ err: error }, 'reload refused; still running the previous configuration');
    });
  };
  process.on('SIGHUP', () => reload('SIGHUP'));
  if (watchConfig) {
    // Polling stat, not inotify: a Kubernetes ConfigMap is updated by swapping a symlink, which
    // a watch on the old inode would miss.
    watchFile(configFile, { interval: WATCH_INTERVAL_MS, persistent: false }, (now, before) => {
      if (now.mtimeMs !== before.mtimeMs || now.size !== before.size) reload('the file changed');
    });
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // Never let one bad record or a library bug take the daemon down silently.
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));

  await daemon.start();
}

export function buildProgram(): Command {
  const program = new Command('driftwatch')
    .description('Watches machine-learning models in production: serving metrics, drift and alerts.')
    .version(readVersion());

  program
    .command('run')
    .description('run the daemon')
    .option('-c, --config <file>', 'configuration file', DEFAULT_CONFIG)
    .option('--watch-config', 'reload the models when the configuration file changes, as on SIGHUP', false)
    .action(async (opts: { config: string; watchConfig: boolean }) => run(opts.config, opts.watchConfig));

  program
    .command('check-config')
    .description('validate a configuration file; prints every problem with its YAML path')
    .option('-c, --config <file>', 'configuration file', DEFAULT_CONFIG)
    .action(async (opts: { config: string }) => {
      const { checkConfig } = await import('../config/load.js');
      const result = checkConfig(opts.config);
      if (result.ok) {
        process.stdout.write(`${opts.config}: valid\n`);
        return;
      }
      process.stderr.write(`${opts.config}: ${result.problems.length} problem(s)\n`);
      for (const p of result.problems)
        process.stderr.write(`  ${p.path === '' ? '(top level)' : p.path}: ${p.message}\n`);
      process.exitCode = 1;
    });

  program
    .command('demo')
    .description('run the whole pipeline on a built-in synthetic stream with drift injected')
    .option('--port <port>', 'port for /metrics (0 = any free port)', integer('--port', 0), 9874)
    .option('--rate <n>', 'synthetic events per second', integer('--rate', 1), 500)
    .option(
      '--drift-after <seconds>',
      'inject drift after this many seconds',
      integer('--drift-after', 0),
      30,
    )
    .option(
      '--duration <seconds>',
      'stop after this many seconds (default: run until Ctrl-C)',
      integer('--duration', 1),
    )
    .option('--every <seconds>', 'print a summary every this many seconds', integer('--every', 1), 5)
    .option('--kafka <brokers>', 'run against a Kafka broker (host:port[,host:port])')
    .option('--no-produce', 'with --kafka: only consume, do not produce the synthetic stream')
    .option(
      '--topic <name>',
      'with --kafka: the topic to produce to and consume from (default: driftwatch.demo.predictions)',
    )
    .option('--seed <n>', 'seed of the synthetic stream', integer('--seed', 0), 42)
    .option('--log-level <level>', 'log level', 'warn')
    .action(
      async (opts: {
        port: number;
        rate: number;
        driftAfter: number;
        duration?: number;
        every: number;
        kafka?: string;
        produce: boolean;
        topic?: string;
        seed: number;
        logLevel: string;
      }) => {
        const [{ runDemo, DEMO_TOPIC }, { createLogger }] = await Promise.all([
          import('./demo.js'),
          import('../telemetry/logger.js'),
        ]);
        const logger = createLogger(opts.logLevel as 'warn', process.stderr);
        await runDemo(
          {
            port: opts.port,
            rate: opts.rate,
            driftAfterSeconds: opts.driftAfter,
            durationSeconds: opts.duration ?? null,
            summaryEverySeconds: opts.every,
            kafka: opts.kafka ?? null,
            produce: opts.produce,
            topic: opts.topic ?? DEMO_TOPIC,
            seed: opts.seed,
          },
          logger,
          readVersion(),
          process.stdout,
        );
        process.exit(0);
      },
    );
  registerBaselineCommands(program);
  registerReplayCommand(program);
  registerSilenceCommand(program);
  return program;
}

buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    if (error instanceof DriftwatchError) {
      process.stderr.write(`driftwatch: ${error.code}: ${error.message}\n`);
      process.exit(BAD_INPUT.has(error.code) ? 2 : 1);
    }
    process.stderr.write(
      `driftwatch: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
