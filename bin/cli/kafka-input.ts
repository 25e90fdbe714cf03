// decode --from kafka://HOST:PORT/TOPIC?group=NAME: the raw datagrams receivers forwarded, read
// by a consumer group; offsets committed at checkpoints once everything read was decoded and
// acknowledged by the destinations; templates shared through --template-store redis://…/KEY.
import type { Readable } from 'node:stream';
import type { FlowDecoder } from '../../lib/decoder.js';
import type { TemplateEvent } from '../../lib/types.js';
import { SinkUrlError } from '../../lib/sinks/url.js';
import type { DecodeStream } from '../../transforms/core/decode.js';
import { SharedTemplates, sharedTemplates } from '../../transforms/core/shared-templates.js';
import type { KafkaSource } from '../../transforms/sources/kafka-source.js';
import { UsageError } from './args.js';
import type { Destinations } from './destinations.js';

export const KAFKA_INPUT_OPTIONS = { from: 'value', 'until-end': 'flag', 'template-store': 'value' } as const;

export const KAFKA_INPUT_HELP = `  --from URL          read raw datagrams from Kafka instead of files: kafka://HOST:PORT/TOPIC?group=NAME
                      (what collect --to kafka://…?format=raw forwards); runs until SIGINT/SIGTERM
  --until-end         with --from: stop at the end of the partitions this consumer was given
  --template-store U  with --from: share template state with the group: redis://HOST:PORT/KEY`;

/** Resolves once nothing written to the chain is still in a stage or unacknowledged by a sink. */
async function drained(dec: DecodeStream, dest: Destinations, shared: SharedTemplates | null): Promise<void> {
  for (;;) {
    const busy = dec.writableLength > 0 || dec.readableLength > 0 || dest.writable.writableLength > 0 || dest.sinks.some((s) => s.stats.buffered > 0 || s.writableLength > 0);
    if (!busy) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  await shared?.flushed();
}

export interface KafkaInput {
  source: KafkaSource;
  shared: SharedTemplates | null;
  close(): Promise<void>;
}

/** The Kafka source of --from, started (one line, exit 1, when the cluster cannot be reached). */
export async function kafkaInput(url: string, untilEnd: boolean, store: string | undefined, decoder: FlowDecoder, dec: DecodeStream, dest: Destinations): Promise<KafkaInput> {
  let shared: SharedTemplates | null = null;
  let source: KafkaSource;
  try {
    shared = store === undefined ? null : sharedTemplates(store);
    const { kafkaSource } = await import('../../transforms/sources/kafka-source.js'); // only with --from
    source = kafkaSource(url, {
      untilEnd,
      drained: () => drained(dec, dest, shared),
      onAssign: async () => { if (shared !== null) await shared.load(decoder); },
    });
  } catch (err) {
    if (err instanceof SinkUrlError) throw new UsageError(err.message);
    throw err;
  }
  if (shared !== null) {
    await shared.connect();
    dec.on('template', (e: TemplateEvent) => shared!.observe(e));
  }
  await source.start();
  const stop = (): void => source.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    source, shared,
    close: async () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      await source.close();
      await shared?.close();
    },
  };
}

export type { Readable };
