import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/util/projectRoot.js';

describe('the tick path', () => {
  it('allocates nothing: 10,000 ticks of 24 participants leave the JS heap flat with no GC', () => {
    const probe = join(projectRoot(), 'dist', 'test', 'conference', 'tickAllocationProbe.js');
    const { grown, gcs, events } = JSON.parse(execFileSync(process.execPath, [probe], { encoding: 'utf8' }));
    console.log(`heap growth over 10,000 ticks: ${grown} bytes, GCs in the window: ${gcs}, events raised: ${events}`);
    expect(events, 'talk and floor events were raised in the window').toBeGreaterThan(100);
    expect(gcs).toBe(0);
    // Any object created per tick would cost at least 16 bytes x 10,000 ticks = 160 KB.
    expect(grown).toBeLessThan(32 * 1024);
  });
});
