import type { Socket } from 'node:dgram';

// Node keeps a bound dgram socket's libuv handle on its internal state, found by the symbol's
// description: there is no public accessor for the descriptor, and `_handle` is deprecated.
// Callers fall back to plain dgram whenever these return -1 or false.

interface UdpHandle {
  fd?: unknown;
  recvStop?: () => number;
}

function handleOf(socket: Socket): UdpHandle | undefined {
  const key = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
  const state = key === undefined ? undefined : (socket as unknown as Record<symbol, { handle?: UdpHandle } | undefined>)[key];
  return state?.handle;
}

/** The descriptor of a bound dgram socket, or -1 where it cannot be had. */
export function socketFd(socket: Socket): number {
  const fd = handleOf(socket)?.fd;
  return typeof fd === 'number' && Number.isInteger(fd) && fd >= 0 ? fd : -1;
}

/**
 * Stops the event loop reading a bound socket, so its datagrams wait in the kernel for a
 * UdpReceiver. Sending through dgram still works; close() still closes it.
 */
export function stopEventLoopReads(socket: Socket): boolean {
  const handle = handleOf(socket);
  return typeof handle?.recvStop === 'function' && handle.recvStop() === 0;
}
