// pretest: makes sure the real clients the media tests drive are installed. As root on Debian
// it installs what is missing with apt-get; otherwise it prints the exact command, and the tests
// that need the tool fail with the same line (they are never skipped).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface Tool {
  /** Executable and arguments that succeed when the tool is usable. */
  check: [string, ...string[]];
  packages: string[];
}

export const TOOLS: Record<string, Tool> = {
  ffmpeg: { check: ['ffmpeg', '-hide_banner', '-version'], packages: ['ffmpeg'] },
  gstreamer: {
    check: ['gst-inspect-1.0', 'srtpenc'],
    packages: ['gstreamer1.0-tools', 'gstreamer1.0-plugins-base', 'gstreamer1.0-plugins-good', 'gstreamer1.0-plugins-bad'],
  },
  chromium: { check: ['chromium', '--version'], packages: ['chromium'] },
  openssl: { check: ['openssl', 'version'], packages: ['openssl'] },
  // sipp has no option that exits 0 without calling: dpkg says whether it is there.
  sipp: { check: ['dpkg-query', '-W', '-f=${Status}', 'sip-tester'], packages: ['sip-tester'] },
  baresip: { check: ['dpkg-query', '-W', '-f=${Status}', 'baresip'], packages: ['baresip'] },
};

export function installLine(names: string[] = Object.keys(TOOLS)): string {
  return `apt-get install -y ${names.flatMap((n) => TOOLS[n].packages).join(' ')}`;
}

export function missingTools(): string[] {
  return Object.entries(TOOLS)
    .filter(([, t]) => spawnSync(t.check[0], t.check.slice(1), { stdio: 'ignore' }).status !== 0)
    .map(([name]) => name);
}

const isMain = process.argv[1]?.endsWith('ensureTools.js');
if (isMain) {
  const missing = missingTools();
  if (missing.length === 0) process.exit(0);
  const root = process.getuid?.() === 0;
  if (root && existsSync('/usr/bin/apt-get')) {
    console.error(`installing test clients: ${missing.join(', ')}`);
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', ...missing.flatMap((n) => TOOLS[n].packages)], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } else {
    console.error(`missing test clients (${missing.join(', ')}); install them with:\n  sudo ${installLine(missing)}`);
  }
}
