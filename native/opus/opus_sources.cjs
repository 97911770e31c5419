// Prints what gyp needs to build libopus from the sources @discordjs/opus ships (libopus 1.3.1):
// `dir` the source root, or a group's files, read from the lists libopus itself keeps (*.mk),
// as paths relative to this folder. Reading libopus's own lists keeps the build in step with
// whatever version the package carries, and takes the float build only (the package's own gyp
// compiles the fixed-point SILK files as well).
'use strict';
const { readFileSync } = require('node:fs');
const path = require('node:path');

const root = path.join(path.dirname(require.resolve('@discordjs/opus/package.json')), 'deps', 'opus');

const GROUPS = {
  plain: ['CELT_SOURCES', 'SILK_SOURCES', 'SILK_SOURCES_FLOAT', 'OPUS_SOURCES', 'OPUS_SOURCES_FLOAT'],
  // x86 intrinsics that every x86-64 CPU has (see libopus.gyp).
  sse: ['CELT_SOURCES_SSE', 'CELT_SOURCES_SSE2'],
};

function lists() {
  const text = ['celt_sources.mk', 'silk_sources.mk', 'opus_sources.mk']
    .map((f) => readFileSync(path.join(root, f), 'utf8'))
    .join('\n')
    .replace(/\\\n/g, ' ');
  const vars = new Map();
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)\s*=\s*(.*)$/.exec(line);
    if (m) vars.set(m[1], m[2].split(/\s+/).filter(Boolean));
  }
  return vars;
}

const what = process.argv[2];
const rel = (p) => path.relative(__dirname, p).split(path.sep).join('/');
if (what === 'dir') {
  process.stdout.write(rel(root));
} else if (what in GROUPS) {
  const vars = lists();
  const files = GROUPS[what].flatMap((name) => {
    const v = vars.get(name);
    if (!v) throw new Error(`libopus source list ${name} not found under ${root}`);
    return v;
  });
  process.stdout.write(files.map((f) => rel(path.join(root, f))).join('\n'));
} else {
  throw new Error(`usage: node opus_sources.cjs dir|${Object.keys(GROUPS).join('|')}`);
}
