// The level stream's hub: a conference with subscribers is polled at the set rate, never twice at
// once, and each poll is one frame shared by every subscriber; the last subscriber gone stops it.
import { afterEach, describe, expect, it } from 'vitest';
import { LevelsHub, LevelsSubscription, type LevelSample } from '../../../src/api/ws/levels/LevelsHub.js';
import { sleep } from '../../helpers/audio.js';

const hubs: LevelsHub[] = [];
afterEach(() => hubs.splice(0).forEach((h) => h.close()));

const sink = () => {
  const frames: string[] = [];
  return { frames, send: (f: Buffer | string) => (frames.push(String(f)), true) };
};

describe('LevelsHub', () => {
  it('polls a subscribed conference at the set rate and sends each poll as one frame to every subscriber', async () => {
    let polls = 0;
    const sample: LevelSample[] = [{ participant_id: 1, call_id: 'a', current_energy: 1200, talking: true }];
    const hub = new LevelsHub(async () => (polls++, sample), 20);
    hubs.push(hub);
    const one = sink();
    const two = sink();
    hub.add(new LevelsSubscription('A', 'c1', one));
    hub.add(new LevelsSubscription('A', 'c1', two));
    await sleep(520);
    expect(hub.rooms).toBe(1);
    expect(polls).toBeGreaterThanOrEqual(6);
    expect(polls).toBeLessThanOrEqual(11); // 20 a second: never more, one poll per interval
    expect(one.frames.length).toBe(polls);
    expect(two.frames).toEqual(one.frames);
    expect(JSON.parse(one.frames[0])).toEqual({
      action: 'event',
      subscribed_key: 'conference.levels.c1',
      routing_key: 'conference.levels.c1',
      name: 'levels',
      data: { conference_id: 'c1', participants: sample },
    });
  });

  it('skips a poll while the last one is unanswered, sends nothing for a conference not running, and stops with the last subscriber', async () => {
    let polls = 0;
    let running = true;
    const hub = new LevelsHub(async () => {
      polls++;
      await sleep(120); // slower than the 50 ms interval
      return running ? [] : undefined;
    }, 20);
    hubs.push(hub);
    const s = sink();
    const sub = new LevelsSubscription('A', 'c1', s);
    hub.add(sub);
    await sleep(520);
    expect(polls).toBeLessThanOrEqual(5); // about one per 120 ms, not one per 50 ms
    running = false;
    const sent = s.frames.length;
    await sleep(300);
    expect(s.frames.length).toBeLessThanOrEqual(sent + 1); // the poll under way may still answer
    hub.remove(sub);
    expect(hub.rooms).toBe(0);
    const after = polls;
    await sleep(200);
    expect(polls).toBeLessThanOrEqual(after + 1);
  });
});
