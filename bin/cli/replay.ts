// flowpipe replay FILE --to HOST:PORT [--rate PPS | --speed X]: send a capture's datagrams.
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { captureSource } from '../../transforms/sources/capture-source.js';
import type { Datagram } from '../../transforms/core/datagram.js';
import { hostPort, num, parse, UsageError } from './args.js';

export const REPLAY_HELP = `usage: flowpipe replay FILE --to HOST:PORT [--rate PPS | --speed X] [--loop N]

Sends the datagrams of a capture (pcap, pcapng, gzip, or raw exports cut by their lengths) to
HOST:PORT over UDP. Default: as fast as the socket takes them. --rate sends N datagrams per
second; --speed X keeps the capture's timing, X times faster. --loop repeats the file N times.`;

export async function replayCommand(argv: string[]): Promise<number> {
  const p = parse(argv, { to: 'value', rate: 'value', speed: 'value', loop: 'value', help: 'flag' });
  if (p.opts.has('help')) {
    process.stdout.write(REPLAY_HELP + '\n');
    return 0;
  }
  const file = p.positional[0];
  const toOpt = p.opts.get('to');
  if (file === undefined || typeof toOpt !== 'string') throw new UsageError('replay needs FILE and --to HOST:PORT');
  const to = hostPort(toOpt, '--to', true);
  const rate = num(p.opts.get('rate'), '--rate');
  const speed = num(p.opts.get('speed'), '--speed');
  if (rate !== undefined && speed !== undefined) throw new UsageError('use --rate or --speed, not both');
  const loops = num(p.opts.get('loop'), '--loop') ?? 1;
  const socket = createSocket(isIPv6(to.address) ? 'udp6' : 'udp4');
  let sent = 0;
  const started = Date.now();
  let firstTime: number | undefined;
  for (let loop = 0; loop < loops; loop++) {
    for await (const item of captureSource(file)) {
      const d = item as Datagram;
      if (rate !== undefined && rate > 0) {
        const due = started + (sent / rate) * 1000;
        if (due > Date.now()) await sleep(due - Date.now());
      } else if (speed !== undefined && speed > 0) {
        firstTime ??= d.receivedAt;
        const due = started + (d.receivedAt - firstTime) / speed;
        if (due > Date.now()) await sleep(due - Date.now());
      }
      await new Promise<void>((resolve, reject) => socket.send(d.data, to.port, to.address, (err) => (err ? reject(err) : resolve())));
      sent++;
    }
    firstTime = undefined;
  }
  socket.close();
  const secs = (Date.now() - started) / 1000;
  process.stderr.write(`flowpipe: sent ${sent} datagrams to ${toOpt} in ${secs.toFixed(2)} s\n`);
  return 0;
}
