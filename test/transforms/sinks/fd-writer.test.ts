// fdWriter(): bytes written from its own thread arrive whole and in order (through a pipe to a
// child process, and to a file, with rings small enough to be full most of the time); a reader
// that goes away is an EPIPE error, not a crash or a hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createHash } from 'node:crypto';
import { fdWriter } from '../../../transforms/sinks/fd-writer.js';
import { decode } from '../../../transforms/core/decode.js';

const root = new URL('../../../../', import.meta.url).pathname;

function chunks(n: number): Buffer[] {
  return Array.from({ length: n }, (_, i) => Buffer.from(`${i} ${'y'.repeat((i * 37) % 3000)}\n`));
}

test('to a file: every byte in order, through a ring of 3 slots of 1 KiB', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'fdw-')), 'out');
  const fd = openSync(path, 'w');
  const data = chunks(2000);
  await pipeline(Readable.from(data), fdWriter(fd, { slots: 3, slotBytes: 1024, writeSlots: 2 }));
  closeSync(fd);
  assert.ok(readFileSync(path).equals(Buffer.concat(data)));
});

test('to a pipe read by a slow child process: the same bytes arrive (sha256)', async () => {
  const data = chunks(3000);
  const child = spawn('sh', ['-c', 'sleep 0.2; sha256sum'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const fd = (child.stdin as unknown as { _handle: { fd: number } })._handle.fd;
  let out = '';
  child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
  const exited = new Promise((r) => child.once('exit', r));
  await pipeline(Readable.from(data), fdWriter(fd, { slots: 4, slotBytes: 4096 }));
  child.stdin.end();
  await exited;
  assert.equal(out.split(' ')[0], createHash('sha256').update(Buffer.concat(data)).digest('hex'));
});

test('the reader goes away: the stage fails with EPIPE (no crash, no hang)', { timeout: 30_000 }, async () => {
  // Through a FIFO whose write end is this test's own: a child's stdin handle would be closed by
  // Node when the child exits (EBADF, not EPIPE, for a write after that).
  const fifo = join(mkdtempSync(join(tmpdir(), 'fdw-')), 'fifo');
  execFileSync('mkfifo', [fifo]);
  const child = spawn('head', ['-c', '10', fifo], { stdio: ['ignore', 'ignore', 'inherit'] });
  const fd = openSync(fifo, 'w'); // waits for head to open it
  async function* endless(): AsyncGenerator<Buffer> {
    for (;;) yield Buffer.alloc(8192, 120);
  }
  await assert.rejects(pipeline(Readable.from(endless()), fdWriter(fd, { slots: 2, slotBytes: 8192 })), (err: NodeJS.ErrnoException) => err.code === 'EPIPE');
  closeSync(fd);
  child.kill();
});

test('a descriptor that is not open: the stage fails with EBADF', { timeout: 30_000 }, async () => {
  await assert.rejects(pipeline(Readable.from(chunks(100)), fdWriter(987654)), (err: NodeJS.ErrnoException) => err.code === 'EBADF');
});

test('recycle: the decode stage\'s chunks given back and reused, output unchanged', async () => {
  const v5 = readFileSync(root + 'test/fixtures/corpus/logstash-codec-netflow/netflow5_test_microtik.dat');
  const datagrams = Array.from({ length: 400 }, () => v5); // 12 000 records, ~3.5 MB of NDJSON
  const dir = mkdtempSync(join(tmpdir(), 'fdw-'));
  async function run(recycle: boolean): Promise<{ bytes: Buffer; spare: number }> {
    const fd = openSync(join(dir, String(recycle)), 'w');
    const dec = decode({ output: 'ndjson' });
    // A ring of 3 slots: puts wait for room, and a chunk goes back only once wholly copied.
    await pipeline(Readable.from(datagrams), dec, fdWriter(fd, { slots: 3, recycle: recycle ? dec.chunkPool : null }));
    closeSync(fd);
    return { bytes: readFileSync(join(dir, String(recycle))), spare: dec.chunkPool!.spareCount };
  }
  const plain = await run(false);
  const recycled = await run(true);
  assert.equal(plain.spare, 0);
  assert.ok(recycled.spare > 0, 'chunks came back');
  assert.ok(plain.bytes.length > 3_000_000);
  assert.ok(recycled.bytes.equals(plain.bytes), 'a chunk reused too early would have overwritten lines');
});
