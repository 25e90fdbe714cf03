#!/usr/bin/env node
// flowpipe command line: a thin dispatcher over bin/cli/*.
import { UsageError } from './cli/args.js';
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

// Each command is loaded when it runs: start-up loads one command's modules, not all eleven's
// (with the analysis stages, Kafka source, workers, enrichers and YAML parser loaded when used:
// `decode --help` 0.43 -> 0.21 s).
const COMMANDS: Record<string, () => Promise<(argv: string[]) => Promise<number>>> = {
  collect: async () => (await import('./cli/collect.js')).collectCommand,
  decode: async () => (await import('./cli/decode.js')).decodeCommand,
  inspect: async () => (await import('./cli/inspect.js')).inspectCommand,
  record: async () => (await import('./cli/record.js')).recordCommand,
  replay: async () => (await import('./cli/replay.js')).replayCommand,
  report: async () => (await import('./cli/report.js')).reportCommand,
  pair: async () => (await import('./cli/pair.js')).pairCommand,
  top: async () => (await import('./cli/top.js')).topCommand,
  convert: async () => (await import('./cli/convert.js')).convertCommand,
  relay: async () => (await import('./cli/relay.js')).relayCommand,
  run: async () => (await import('./cli/run.js')).runCommand,
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE + '\n');
    return command === undefined ? 2 : 0;
  }
  const load = COMMANDS[command];
  if (load === undefined) {
    process.stderr.write(`flowpipe: unknown command '${command}'\n${USAGE}\n`);
    return 2;
  }
  try {
    return await (await load())(rest);
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
