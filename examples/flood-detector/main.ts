// Flood detector: reads records from UDP (or a capture), counts packets per destination per
// second against the rules in rules.json, and runs each rule's block / unblock commands (no
// shell: program and arguments, {ip} replaced by the destination address).
// Run: node dist/examples/flood-detector/main.js examples/flood-detector/rules.json :6343
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { captureSource, decode, udpSource, type FlowRecord } from 'flowpipe';
import { FloodDetector, type Action, type Rule } from './detector.js';

const [rulesFile = 'rules.json', input = ':6343'] = process.argv.slice(2);
const detector = new FloodDetector(JSON.parse(readFileSync(rulesFile, 'utf8')) as Rule[]);

function run(a: Action): void {
  console.error(`${a.type} ${a.address} (rule ${a.rule}${a.type === 'block' ? `, ${a.pps} pps` : ''}): ${a.command.join(' ')}`);
  const [program, ...args] = a.command;
  execFile(program!, args, (err) => {
    if (err) console.error(`${a.type} command failed: ${err.message}`);
  });
}

async function source(): Promise<Readable> {
  if (!input.startsWith(':')) return captureSource(input);
  const udp = udpSource({ listen: [Number(input.slice(1))] });
  await udp.listen();
  process.once('SIGINT', () => udp.close());
  return udp;
}

// Unblocks are due even when no traffic arrives.
const timer = setInterval(() => detector.expire(Date.now()).forEach(run), 1000);
await pipeline(await source(), decode(), new Writable({
  objectMode: true,
  write(r: FlowRecord, _e, done): void {
    detector.observe(r, Date.now()).forEach(run);
    done();
  },
}));
clearInterval(timer);
