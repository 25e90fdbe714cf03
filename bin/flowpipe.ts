#!/usr/bin/env node
// flowpipe command line: a thin dispatcher over bin/cli/*.
import { UsageError } from './cli/args.js';
import { collectCommand } from './cli/collect.js';
import { decodeCommand } from './cli/decode.js';
import { inspectCommand } from './cli/inspect.js';
import { recordCommand } from './cli/record.js';
import { replayCommand } from './cli/replay.js';
import { reportCommand } from './cli/report.js';
import { pairCommand } from './cli/pair.js';
import { topCommand } from './cli/top.js';
import { convertCommand } from './cli/convert.js';
import { relayCommand } from './cli/relay.js';
import { runCommand } from './cli/run.js';
import { guardStdout, isOutputClosed } from './cli/stdout.js';

const USAGE = `usage: flowpipe <command> [options]   (flowpipe <command> --help for each)

  decode [FILE...]                      captures / raw exports -> records (NDJSON, JSON, CSV, table)
  collect --listen PORT[,PORT]          receive on UDP, decode, write records (stdout or --to FILE)
  record --listen PORT --out FILE.pcap  save received datagrams as a pcap
  replay FILE --to HOST:PORT            send a capture's datagrams
  inspect FILE                          structure of each datagram (headers, sets, templates)
  report FILE... --key dstAddr --top 10 nfdump -s style top-N statistics
  pair FILE...                          both directions of each connection as one record
  top --listen PORT | FILE...           a live view of rates, top talkers and exporter health
  convert FILE... --to OUT.pcap --as F  re-encode as IPFIX, NetFlow v9 or v5 into a pcap
  relay --listen PORT --to HOST:PORT,…  replicate every datagram to several collectors
  run [--check] PIPELINE.yaml           a pipeline file: sources, stages, sinks, branches

exit status: 0 success, 1 failure (unreadable input, --strict with decode errors, socket error),
2 usage error`;

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  decode: decodeCommand, collect: collectCommand, record: recordCommand, replay: replayCommand, inspect: inspectCommand,
  report: reportCommand, pair: pairCommand, top: topCommand, convert: convertCommand, relay: relayCommand, run: runCommand,
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE + '\n');
    return command === undefined ? 2 : 0;
  }
  const run = COMMANDS[command];
  if (run === undefined) {
    process.stderr.write(`flowpipe: unknown command '${command}'\n${USAGE}\n`);
    return 2;
  }
  try {
    return await run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`flowpipe ${command}: ${err.message} (see flowpipe ${command} --help)\n`);
      return 2;
    }
    const e = err as NodeJS.ErrnoException;
    if (isOutputClosed(e)) return 0; // output closed early (| head): not an error
    process.stderr.write(`flowpipe ${command}: ${e.message}\n`);
    return 1;
  }
}

guardStdout();
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  // A client library's native handle (librdkafka leaving a consumer group) can keep the process
  // alive after the work is done and reported: give it a moment, then go.
  setTimeout(() => process.exit(code), 3000).unref();
});
