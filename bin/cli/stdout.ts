// stdout closing early (`flowpipe decode … | head`) is a normal way to stop: the command ends
// quietly with exit 0 (its --stats still printed), never with an EPIPE stack trace or an error
// blamed on the input.

let closed = false;
const waiting = new Set<() => void>();

function markClosed(): void {
  closed = true;
  for (const wake of waiting) wake();
  waiting.clear();
}

/** Installs the stdout error handler (once, at start): EPIPE marks stdout closed. */
export function guardStdout(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') {
      process.stderr.write(`flowpipe: cannot write to stdout: ${err.message}\n`);
      process.exitCode = 1;
    }
    markClosed();
  });
}

/** Has the reader of stdout gone away? */
export const stdoutClosed = (): boolean => closed;

/** Is `err` the output going away (and so not a failure of the command)? */
export function isOutputClosed(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'EPIPE' || (closed && (code === 'ERR_STREAM_DESTROYED' || code === 'ERR_STREAM_PREMATURE_CLOSE'));
}

/** Writes to stdout with backpressure; resolves false once stdout is closed. */
export async function writeOut(text: string): Promise<boolean> {
  if (closed) return false;
  if (!process.stdout.write(text)) {
    await new Promise<void>((resolve) => {
      const wake = (): void => {
        waiting.delete(wake);
        process.stdout.off('drain', wake);
        resolve();
      };
      waiting.add(wake);
      process.stdout.once('drain', wake);
    });
  }
  return !closed;
}

/**
 * Makes fd 1 blocking again when stdout is a pipe or a socket (Node makes it non-blocking as soon
 * as process.stdout is opened). `decode` with files in writes stdout from fdWriter's thread,
 * whose writes must wait for the reader rather than fail with EAGAIN (it would retry every
 * millisecond). Not for a live collector, whose sockets must be read while a slow reader catches
 * up. Through the stream's libuv handle (the call Node itself makes for terminals); nothing
 * happens where there is none.
 */
export function blockingStdout(): void {
  const handle = (process.stdout as unknown as { _handle?: { setBlocking?: (on: boolean) => number } })._handle;
  if (typeof handle?.setBlocking === 'function') handle.setBlocking(true);
}
