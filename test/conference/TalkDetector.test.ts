import { describe, expect, it } from 'vitest';
import { TalkChange, TalkDetector } from '../../src/conference/TalkDetector.js';

const settings = { hangUnderFrames: 3, hangOverMs: 300 };

/** Feeds energies (one per 20 ms frame) and returns the frame numbers of each change. */
function run(energies: number[], muted = false) {
  const d = new TalkDetector();
  const changes: string[] = [];
  energies.forEach((e, i) => {
    const c = d.update(e, 100, muted, 20, settings);
    if (c & TalkChange.Start) changes.push(`start@${i}`);
    if (c & TalkChange.Stop) changes.push(`stop@${i}`);
    if (c & TalkChange.MuteDetect) changes.push(`mute@${i}`);
  });
  return changes;
}

describe('TalkDetector', () => {
  it('starts after the hang-under and stops after the hang-over', () => {
    const loud = Array(10).fill(500);
    const quiet = Array(20).fill(0);
    expect(run([...loud, ...quiet])).toEqual(['start@2', 'stop@24']); // 3rd loud frame; 15 x 20 ms quiet
  });

  it('ignores loud blips shorter than the hang-under', () => {
    expect(run([500, 500, 0, 500, 500, 0, 0])).toEqual([]);
  });

  it('keeps talking through pauses shorter than the hang-over, and through word tails above half the threshold', () => {
    const talk = [500, 500, 500, ...Array(10).fill(0), 500, ...Array(10).fill(60), ...Array(16).fill(0)];
    expect(run(talk)).toEqual(['start@2', 'stop@38']); // quiet from frame 24: 15 x 20 ms
  });

  it('reports mute-detect once per burst for a muted talker', () => {
    expect(run([500, 500, 500, 500, ...Array(16).fill(0), 500, 500, 500], true)).toEqual([
      'start@2',
      'mute@2',
      'stop@18',
      'start@22',
      'mute@22',
    ]);
    expect(run([500, 500, 500], false)).toEqual(['start@2']);
  });
});
