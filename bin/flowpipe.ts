#!/usr/bin/env node
// flowpipe command line. `decode` reads raw export files (one or more export messages
// concatenated, as a UDP payload or `nc -lu` capture holds them) in order with one template
// state and writes NDJSON records to stdout.
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { isCapture, readCapture } from '../lib/capture.js';
import { FlowDecoder } from '../lib/index.js';
import { recordLine, toJson } from '../lib/json.js';
import type { DecodeError } from '../lib/index.js';

const USAGE = `usage: flowpipe decode [--exporter IP:PORT] [--strict] [--stats] [FILE...]

Decodes NetFlow v1/v5/v7/v9, IPFIX and sFlow v5 to NDJSON on stdout. Input: pcap or pcapng
captures (each datagram attributed to its UDP source) or raw export bytes, gzipped or not.
Files are decoded in order with one template state; with no FILE, stdin is read.

  --exporter IP:PORT  exporter raw input is attributed to (default 0.0.0.0:0)
  --strict            exit 1 if any decode error occurred
  --stats             print a summary on stderr

exit status: 0 input read (decode errors are reported on stderr), 1 unreadable input or
--strict with errors, 2 usage error`;

interface Args { files: string[]; exporter: { address: string; port: number }; strict: boolean; stats: boolean }

function parseArgs(argv: string[]): Args | string {
  const args: Args = { files: [], exporter: { address: '0.0.0.0', port: 0 }, strict: false, stats: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--strict') args.strict = true;
    else if (a === '--stats') args.stats = true;
    else if (a === '--exporter') {
      const v = argv[++i] ?? '';
      const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(v);
      if (!m) return `--exporter wants IP:PORT, got '${v}'`;
      args.exporter = { address: m[1]!, port: Number(m[2]) };
    } else if (a.startsWith('-') && a !== '-') return `unknown option ${a}`;
    else args.files.push(a);
  }
  return args;
}

async function readInput(file: string): Promise<Buffer> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }
  return readFile(file);
}

function describe(e: DecodeError, file: string): string {
  return `flowpipe: ${file}: ${e.kind} (exporter ${e.exporter}, offset ${e.offset}): ${e.reason}`;
}

async function decode(args: Args): Promise<number> {
  const dec = new FlowDecoder();
  const files = args.files.length > 0 ? args.files : ['-'];
  let errors = 0;
  let unreadable = false;
  const out: string[] = [];
  const emit = (lines: string[]): void => {
    if (lines.length > 0) process.stdout.write(lines.join(''));
  };
  for (const file of files) {
    let buf: Buffer;
    try {
      buf = await readInput(file);
    } catch (err) {
      process.stderr.write(`flowpipe: cannot read ${file}: ${(err as Error).message}\n`);
      unreadable = true;
      continue;
    }
    if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
      try {
        buf = gunzipSync(buf);
      } catch (err) {
        process.stderr.write(`flowpipe: ${file}: not valid gzip: ${(err as Error).message}\n`);
        unreadable = true;
        continue;
      }
    }
    const datagrams = isCapture(buf) ? readCapture(buf) : [{ payload: buf, src: args.exporter, time: Date.now() }];
    for (const d of datagrams) {
      const res = dec.decode(d.payload, d.src, d.time);
      for (const r of res.records) out.push(recordLine(r));
      for (const e of res.errors) process.stderr.write(describe(e, file) + '\n');
      errors += res.errors.length;
      emit(out.splice(0));
    }
  }
  const end = dec.flush();
  for (const e of end.errors) process.stderr.write(describe(e, 'end of input') + '\n');
  errors += end.errors.length;
  if (args.stats) process.stderr.write(toJson({ ...dec.stats, sequence: dec.sequenceStats() }) + '\n');
  if (unreadable) return 1;
  return args.strict && errors > 0 ? 1 : 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE + '\n');
    return command === undefined ? 2 : 0;
  }
  if (command !== 'decode') {
    process.stderr.write(`flowpipe: unknown command '${command}'\n${USAGE}\n`);
    return 2;
  }
  if (rest.includes('--help')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const args = parseArgs(rest);
  if (typeof args === 'string') {
    process.stderr.write(`flowpipe: ${args}\n${USAGE}\n`);
    return 2;
  }
  return decode(args);
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err: unknown) => {
  process.stderr.write(`flowpipe: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
