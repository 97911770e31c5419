#!/usr/bin/env node
// The roomtone command line: `roomtone serve` runs the conference server, `roomtone demo` a
// synthetic conference.
import { parseArgs } from 'node:util';
import { RoomtoneError } from '../errors.js';
import { Server } from '../server/Server.js';
import { resolveServerConfig, SETTINGS } from '../server/ServerConfig.js';
import { runDemo } from './demo.js';

const FLAG_WIDTH = Math.max(...SETTINGS.map((s) => s.flag.length));
const ENV_WIDTH = Math.max(...SETTINGS.map((s) => s.env.length));

const USAGE = `usage: roomtone serve [options]    run the conference server
       roomtone demo [--seconds N] [--participants N] [--workers N]

serve options (each also read from its environment variable):
${SETTINGS.map((s) => `  --${s.flag.padEnd(FLAG_WIDTH)} ${s.env.padEnd(ENV_WIDTH)} ${s.help}${s.default ? ` (default ${s.default})` : ''}`).join('\n')}`;

function intFlag(value: string | undefined, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    console.error(`--${name} must be an integer from ${min} to ${max}`);
    process.exit(2);
  }
  return n;
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    ...Object.fromEntries(SETTINGS.map((s) => [s.flag, { type: 'string' as const }])),
    seconds: { type: 'string' },
    participants: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
const flags = values as Record<string, string | undefined>;
const command = positionals[0] ?? 'serve';

if (values.help || (command !== 'serve' && command !== 'demo')) {
  console.log(USAGE);
  process.exit(values.help ? 0 : 2);
}

if (command === 'demo') {
  await runDemo({
    seconds: intFlag(flags.seconds, 'seconds', 1, 600, 10),
    participants: intFlag(flags.participants, 'participants', 1, 1000, 4),
    workers: flags.workers === undefined ? undefined : intFlag(flags.workers, 'workers', 0, 64, 1),
  });
} else {
  try {
    // Everything the server writes (database, recordings, media) is for the server's user only.
    process.umask(0o077);
    const server = await Server.start(resolveServerConfig(flags, process.env));
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      server.app.log.info({ signal }, 'signal received');
      const force = setTimeout(() => process.exit(1), 10_000);
      force.unref();
      void server.close().then(() => process.exit(0));
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  } catch (err) {
    console.error(err instanceof RoomtoneError ? `roomtone: ${err.message}` : err);
    process.exit(1);
  }
}
