#!/usr/bin/env node
// The roomtone command line. `roomtone demo` runs a synthetic conference.
import { parseArgs } from 'node:util';
import { runDemo } from './demo.js';

const USAGE = `usage: roomtone demo [--seconds N] [--participants N] [--workers N]

  demo    run one conference of synthetic talkers and print its events and clock figures`;

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
    seconds: { type: 'string' },
    participants: { type: 'string' },
    workers: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

const command = positionals[0] ?? 'demo';
if (values.help || command !== 'demo') {
  console.log(USAGE);
  process.exit(values.help ? 0 : 2);
}
await runDemo({
  seconds: intFlag(values.seconds, 'seconds', 1, 600, 10),
  participants: intFlag(values.participants, 'participants', 1, 1000, 4),
  workers: values.workers === undefined ? undefined : intFlag(values.workers, 'workers', 0, 64, 1),
});
