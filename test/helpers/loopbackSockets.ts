import { createSocket, type Socket } from 'node:dgram';
import { afterEach } from 'vitest';

/**
 * UDP sockets on 127.0.0.1 for one test file: bound() binds one on an ephemeral port, track()
 * adopts one made elsewhere, and every socket still open is closed after each test.
 */
export function loopbackSockets(): { bound: () => Promise<Socket>; track: (s: Socket) => Socket } {
  const open = new Set<Socket>();
  afterEach(() => {
    for (const s of open) {
      try {
        s.close();
      } catch {
        // the test closed it already ('close' is emitted a tick later)
      }
    }
    open.clear();
  });
  const track = (s: Socket): Socket => {
    open.add(s);
    s.once('close', () => open.delete(s));
    return s;
  };
  const bound = async (): Promise<Socket> => {
    const s = track(createSocket('udp4'));
    await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
    return s;
  };
  return { bound, track };
}
