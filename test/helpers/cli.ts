// Running the built CLI in tests: one-shot commands, and `collect` on a free loopback port.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { BIN, ROOT } from './paths.js';

/** Runs `flowpipe ARGS` to the end (stdout and stderr as Buffers). */
export const run = (args: string[], input?: Buffer): ReturnType<typeof spawnSync> =>
  spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, input, encoding: 'buffer', maxBuffer: 256 * 1024 * 1024, timeout: 180_000 });

/** NDJSON text as objects. */
export const lines = (b: Buffer | string): Record<string, unknown>[] => b.toString().trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

/** Is a command on the PATH? */
export const have = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

/** Starts `flowpipe collect --listen 127.0.0.1:0 ARGS`; resolves once it listens, with its port and its stdout so far. */
export function startCollect(args: string[]): Promise<{ child: ChildProcess; port: number; out: Buffer[]; err: () => string }> {
  const child = spawn(process.execPath, [BIN, 'collect', '--listen', '127.0.0.1:0', ...args], { cwd: ROOT });
  const out: Buffer[] = [];
  child.stdout!.on('data', (c: Buffer) => out.push(c));
  let err = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
      const m = /listening on [^:]+:(\d+)/.exec(err);
      if (m) resolve({ child, port: Number(m[1]), out, err: () => err });
    });
    child.once('exit', (code) => reject(new Error(`collect exited ${code}: ${err}`)));
  });
}

/** SIGTERM, resolves with the exit code. */
export const stop = (child: ChildProcess): Promise<number | null> => new Promise((r) => { child.once('close', r); child.kill('SIGTERM'); });
