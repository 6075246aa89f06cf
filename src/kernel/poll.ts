/**
 * libuv readiness for raw fds, through koffi's poll handle. koffi calls back with
 * (status, events) although its type declarations say (events); this wrapper is
 * the one place that knows. A negative status is a libuv error (e.g. EBADF).
 */
import koffi from 'koffi';

export interface PollEvents {
  readable: boolean;
  writable: boolean;
  disconnect: boolean;
}

export interface FdWatch {
  /** Change which events are watched (uv_poll_start again). */
  update(opts: Partial<PollEvents>): void;
  close(): void;
  ref(): void;
  unref(): void;
}

export function watchFd(fd: number, opts: Partial<PollEvents>, onEvent: (ev: PollEvents, status: number) => void): FdWatch {
  const cb = ((status: number, ev: PollEvents) => onEvent(ev ?? { readable: false, writable: false, disconnect: false }, status)) as unknown as (ev: PollEvents) => void;
  const h = koffi.node.poll(fd, opts, cb);
  let closed = false;
  return {
    update: (o) => { if (!closed) h.start(o, cb); },
    close: () => { if (!closed) { closed = true; h.close(); } },
    ref: () => h.ref(),
    unref: () => h.unref(),
  };
}
