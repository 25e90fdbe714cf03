// kafkaSource('kafka://HOST:PORT[,HOST:PORT]/TOPIC?group=NAME'): raw datagrams that receivers
// forwarded (collect --to kafka://…?format=raw) read back as Datagrams, by consumers in a group
// that share the partitions (librdkafka's KafkaConsumer, manual commits). Offsets are committed
// only at checkpoints: reading pauses, the caller's `drained()` resolves once everything read so
// far was decoded and acknowledged downstream, then the offsets read are committed — every few
// seconds, before partitions are handed to another consumer, and at the end (at-least-once: a
// consumer that dies re-delivers what it read since its last checkpoint). `onAssign` runs before
// a partition's messages flow (e.g. to load shared template state).
import { Readable } from 'node:stream';
import { debuglog } from 'node:util';
import { decodeEnvelope } from '../../lib/sinks/envelope.js';
import { checkParams, numberParam, parseSinkUrl, SinkUrlError, type SinkUrl } from '../../lib/sinks/url.js';
import { importClient } from '../sinks/client-package.js';
import type { Datagram } from '../core/datagram.js';

interface TopicPartition { topic: string; partition: number; offset?: number }
interface RdMessage { value: Buffer | null; topic: string; partition: number; offset: number }
interface RdConsumer {
  connect(o: object, cb: (err: Error | null) => void): void;
  disconnect(cb: () => void): void;
  subscribe(topics: string[]): void;
  consume(n: number, cb: (err: Error | null, messages: RdMessage[]) => void): void;
  assign(a: TopicPartition[]): void;
  unassign(): void;
  unsubscribe(): void;
  assignments(): TopicPartition[];
  commit(offsets: TopicPartition[]): void;
  setDefaultConsumeTimeout(ms: number): void;
  on(e: 'partition.eof', f: (e: TopicPartition) => void): void;
  on(e: 'offset.commit', f: (err: Error | null, offsets: TopicPartition[]) => void): void;
  on(e: 'event.error', f: (err: Error) => void): void;
}
interface RdKafka { KafkaConsumer: new (global: object, topic: object) => RdConsumer }

export interface KafkaSourceOptions {
  /** Resolves once everything pushed so far was processed and acknowledged downstream. */
  drained?: () => Promise<void>;
  /** Runs when partitions are assigned, before their messages are read. */
  onAssign?: (partitions: TopicPartition[]) => Promise<void>;
  /** End when every assigned partition has been read to its end (default: run until destroy()). */
  untilEnd?: boolean;
  /** Seconds between checkpoints (default 5). */
  commitIntervalS?: number;
}

export interface KafkaSourceStats {
  messages: number;
  /** Messages that were not a flowpipe envelope (skipped). */
  notEnvelopes: number;
  checkpoints: number;
  rebalances: number;
  /**
   * Messages a read returned after its partitions were revoked: not decoded here, since their
   * next owner (maybe this consumer again) reads them from the committed offset.
   */
  leftToNextOwner: number;
  /**
   * Commits the group coordinator refused (e.g. "rebalance in progress"): what was read since
   * the last commit that went through is read again by the partitions' next owner.
   */
  commitFailures: number;
  assigned: number;
  lastError: string | null;
}

/** NODE_DEBUG=flowpipe-kafka: checkpoints, rebalances and the close, step by step, on stderr. */
const debug = debuglog('flowpipe-kafka');

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const key = (t: TopicPartition): string => `${t.topic}|${t.partition}`;

export class KafkaSource extends Readable {
  readonly stats: KafkaSourceStats = { messages: 0, notEnvelopes: 0, checkpoints: 0, rebalances: 0, leftToNextOwner: 0, commitFailures: 0, assigned: 0, lastError: null };
  /** Counts revocations: a read started before the last one returns messages nobody commits for us. */
  private generation = 0;
  /** The generation when the read in progress (or the last one) began. */
  private readGeneration = 0;
  private consumer: RdConsumer | null = null;
  private readonly topic: string;
  private readonly group: string;
  /** Next offset to commit per partition (one past the last message pushed). */
  private readonly offsets = new Map<string, TopicPartition>();
  /** Messages read, and how many of them the last commit that went through covered (equal: nothing to commit). */
  private messagesRead = 0;
  private messagesCommitted = 0;
  private readonly eof = new Set<string>();
  private paused = false;
  private reading = false;
  private wanted = false;
  private timer: NodeJS.Timeout | null = null;
  private checkpointing: Promise<void> | null = null;
  /** The consumer while it disconnects (a rebalance that still reaches it is answered if it can be). */
  private leaving: RdConsumer | null = null;
  /** close() has begun: partitions assigned now are taken and given back, never read. */
  private closing = false;
  /** Rebalance handlers still running (a revocation waits for its checkpoint). */
  private rebalancing = 0;
  /** Resolves the commit in progress when librdkafka reports it. */
  private committed: ((failed: boolean) => void) | null = null;
  private ended = false;

  constructor(readonly url: SinkUrl, private readonly options: KafkaSourceOptions = {}) {
    super({ objectMode: true, highWaterMark: 512 });
    checkParams(url, ['group', 'commit']);
    if (!/^[A-Za-z0-9._-]{1,249}$/.test(url.path)) throw new SinkUrlError(`${url.display}: the path is the topic`);
    this.topic = url.path;
    this.group = url.params.get('group') ?? 'flowpipe';
    this.options = { ...options, commitIntervalS: numberParam(url, 'commit', options.commitIntervalS ?? 5, 0.1) };
  }

  /** Connects and subscribes; rejects when the cluster cannot be reached. */
  async start(): Promise<void> {
    const kafka = await importClient<{ default: RdKafka } & RdKafka>('@confluentinc/kafka-javascript', 'Kafka');
    const KafkaConsumer = (kafka.default ?? kafka).KafkaConsumer;
    const c = new KafkaConsumer({
      'metadata.broker.list': this.url.hosts.map((h) => `${h.host}:${h.port}`).join(','), 'group.id': this.group,
      'enable.auto.commit': false, 'enable.partition.eof': true, 'session.timeout.ms': 6000, 'heartbeat.interval.ms': 500,
      'socket.connection.setup.timeout.ms': 5000, 'partition.assignment.strategy': 'range',
      rebalance_cb: (err: { code: number }, assignment: TopicPartition[]) => void this.rebalance(err.code, assignment),
      offset_commit_cb: true,
    }, { 'auto.offset.reset': 'earliest' });
    c.on('partition.eof', (e) => {
      // The client reports the end of a partition from the read that found it, just before that
      // read's messages. From a read begun before the last revocation it is stale: the partition
      // may since have come back, to be read again from the committed offset (ending on it
      // would leave what that read brought, which is not decoded, to nobody).
      if (this.readGeneration !== this.generation) return;
      this.eof.add(key(e));
      this.maybeEnd();
    });
    c.on('event.error', (err) => { this.stats.lastError = err.message; });
    c.on('offset.commit', (err) => {
      const done = this.committed;
      this.committed = null;
      if (err) {
        this.stats.lastError = err.message;
        this.stats.commitFailures++;
      }
      done?.(Boolean(err));
    });
    await new Promise<void>((resolve, reject) => c.connect({ timeout: 5000 }, (err) => (err ? reject(err) : resolve())));
    c.setDefaultConsumeTimeout(100);
    c.subscribe([this.topic]);
    this.consumer = c;
    const every = this.options.commitIntervalS! * 1000;
    this.timer = setInterval(() => void this.checkpoint().catch((err: Error) => { this.stats.lastError = err.message; }), every);
    this.timer.unref();
    if (this.wanted) this.pull();
  }

  /** Partitions come and go: a checkpoint before giving them up; shared state loaded before reading new ones. */
  private async rebalance(code: number, assignment: TopicPartition[]): Promise<void> {
    const c = this.consumer ?? this.leaving;
    if (c === null) {
      debug('rebalance %d after the consumer left: not answered', code);
      return;
    }
    this.stats.rebalances++;
    debug('rebalance %d: %d partitions%s', code, assignment.length, this.closing ? ' (closing)' : '');
    this.rebalancing++;
    try {
      if (c === this.leaving) this.answerWhileDisconnecting(c, code, assignment);
      else if (code === -174) await this.revoke(c, assignment); // ERR__REVOKE_PARTITIONS
      else if (code === -175) await this.assign(c, assignment); // ERR__ASSIGN_PARTITIONS
    } catch (err) {
      // While closing, the close goes on (its waits are bounded); before, the stream fails.
      if (this.closing) debug('rebalance %d failed while closing: %s', code, (err as Error).message);
      else this.destroy(err as Error);
    } finally {
      this.rebalancing--;
    }
  }

  private async revoke(c: RdConsumer, assignment: TopicPartition[]): Promise<void> {
    // Not waiting for a read in progress: librdkafka may hold it until the partitions are given
    // up. What it returns is left out (counted): whoever gets the partitions next reads it again
    // from the offsets committed here, so nothing is decoded twice or lost.
    this.generation++;
    await this.freshCheckpoint();
    for (const t of assignment) { this.offsets.delete(key(t)); this.eof.delete(key(t)); }
    c.unassign();
    this.stats.assigned = 0;
  }

  private async assign(c: RdConsumer, assignment: TopicPartition[]): Promise<void> {
    if (this.closing) {
      // Leaving: librdkafka waits until the application takes an assignment it handed out, even
      // one that is revoked right after; nothing is read from it.
      c.assign(assignment);
      this.stats.assigned = assignment.length;
      return;
    }
    this.paused = true;
    await this.options.onAssign?.(assignment);
    for (const t of assignment) this.eof.delete(key(t));
    c.assign(assignment);
    this.stats.assigned = assignment.length;
    this.paused = false;
    if (this.wanted) this.pull();
  }

  /**
   * A rebalance that reached the consumer while it disconnects (the close hands out what was
   * still queued): answered if the client still takes it, which it does not once its close has
   * begun — then the bounded wait in close() gives up on it.
   */
  private answerWhileDisconnecting(c: RdConsumer, code: number, assignment: TopicPartition[]): void {
    try {
      if (code === -174) c.unassign();
      else if (code === -175) c.assign(assignment);
    } catch (err) {
      debug('rebalance %d while disconnecting not answered: %s', code, (err as Error).message);
    }
  }

  /**
   * Pauses reading, waits until downstream acknowledged everything read, commits the offsets read.
   * `waitForRead`: first let a read in progress deliver its messages (not during a rebalance).
   */
  checkpoint(waitForRead = true): Promise<void> {
    this.checkpointing ??= (async () => {
      const c = this.consumer;
      if (c === null) return;
      this.paused = true;
      // A read in progress delivers its messages first, but not for long: librdkafka holds a read
      // during a rebalance until the partitions are given up, and the rebalance handler waits for
      // this checkpoint; waiting for the read without a bound deadlocked the two (a consumer that
      // never ended). What that read returns later is decoded and committed by the next checkpoint.
      const until = Date.now() + 1000;
      while (waitForRead && this.reading && Date.now() < until) await sleep(5);
      try {
        debug('checkpoint: waiting for downstream');
        await this.options.drained?.();
        const offsets = [...this.offsets.values()];
        // An asynchronous commit, waited for (bounded): a synchronous one can block the thread
        // for good while the group rebalances.
        if (offsets.length > 0 && this.messagesRead !== this.messagesCommitted) {
          const read = this.messagesRead;
          debug('checkpoint: committing %d partitions', offsets.length);
          const ok = await new Promise<boolean>((resolve) => {
            const t = setTimeout(() => resolve(false), 5000);
            this.committed = (failed) => { clearTimeout(t); resolve(!failed); };
            c.commit(offsets);
          });
          if (ok) this.messagesCommitted = read;
        }
        this.stats.checkpoints++;
        debug('checkpoint %d done', this.stats.checkpoints);
      } finally {
        this.paused = false;
        if (this.wanted && !this.ended) this.pull();
      }
    })().finally(() => { this.checkpointing = null; });
    return this.checkpointing;
  }

  /**
   * A checkpoint of everything read until now. One already running took its offsets before its
   * wait for a read in progress could end: what that read delivered since would not be committed
   * (the next owner would decode it again), so it is waited for and a new one runs after it.
   */
  private async freshCheckpoint(): Promise<void> {
    while (this.checkpointing !== null) await this.checkpointing.catch(() => undefined);
    await this.checkpoint(false);
  }

  override _read(): void {
    this.wanted = true;
    this.pull();
  }

  private pull(): void {
    const c = this.consumer;
    if (c === null || this.paused || this.reading || this.ended || this.destroyed) return;
    this.reading = true;
    const generation = this.generation;
    this.readGeneration = generation;
    c.consume(500, (err, messages) => {
      this.reading = false;
      if (this.ended) return; // stopped meanwhile: these are neither pushed nor committed
      if (generation !== this.generation && !err) {
        this.stats.leftToNextOwner += messages.length;
        if (this.wanted) setImmediate(() => this.pull());
        return;
      }
      if (err) {
        this.stats.lastError = err.message;
        setTimeout(() => this.pull(), 100);
        return;
      }
      let more = true;
      for (const m of messages) {
        this.stats.messages++;
        this.offsets.set(`${m.topic}|${m.partition}`, { topic: m.topic, partition: m.partition, offset: m.offset + 1 });
        this.messagesRead++;
        const d = m.value === null ? 'empty message' : decodeEnvelope(m.value);
        if (typeof d === 'string') { this.stats.notEnvelopes++; continue; }
        more = this.push(d satisfies Datagram);
      }
      this.wanted = more;
      if (messages.length === 0) this.maybeEnd();
      if (more) setImmediate(() => this.pull());
    });
  }

  /** --until-end: every assigned partition read to its end. */
  private maybeEnd(): void {
    if (!this.options.untilEnd || this.ended || this.consumer === null) return;
    const assigned = this.consumer.assignments();
    if (assigned.length === 0 || !assigned.every((t) => this.eof.has(key(t)))) return;
    this.ended = true;
    this.push(null);
  }

  /** Ends the stream (SIGINT/SIGTERM): what was read is processed, then close() commits it. */
  stop(): void {
    if (this.ended) return;
    this.ended = true;
    this.push(null); // a read still in progress is not waited for: its messages are not committed, so read again
  }

  /** Stops reading; the last checkpoint commits what was acknowledged, then the consumer leaves the group. */
  async close(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    const c = this.consumer;
    if (c === null) return;
    debug('close: last checkpoint');
    try {
      await this.freshCheckpoint(); // a read in progress may be held by a rebalance: not waited for
    } finally {
      this.ended = true;
      await this.leaveGroup(c);
      this.consumer = null;
      this.leaving = c;
      debug('close: disconnecting');
      // Bounded, should librdkafka not call back.
      await new Promise<void>((r) => {
        const t = setTimeout(() => { debug('close: no answer from the disconnect in 10 s'); r(); }, 10_000);
        c.disconnect(() => { clearTimeout(t); r(); });
      });
      debug('close: disconnected');
      this.leaving = null;
    }
  }

  /**
   * Unsubscribes while still connected, and keeps reading until the partitions were given back
   * and the group went quiet (at most 5 s). librdkafka hands rebalance events only to a reader,
   * and an assignment that reaches a consumer whose close has begun can no longer be taken: the
   * close would wait for it for good. What these reads return is not decoded (counted as left
   * to the next owner, who reads it from the committed offsets).
   */
  private async leaveGroup(c: RdConsumer): Promise<void> {
    this.closing = true;
    const readDone = Date.now() + 1000;
    while (this.reading && Date.now() < readDone) await sleep(5);
    debug('close: leaving the group');
    try {
      c.unsubscribe();
    } catch (err) {
      debug('close: unsubscribe failed: %s', (err as Error).message);
      return;
    }
    const deadline = Date.now() + 5000;
    for (let quiet = 0; quiet < 3 && Date.now() < deadline;) {
      const rebalances = this.stats.rebalances;
      const [read] = await Promise.all([this.readAndDrop(c), sleep(100)]);
      this.stats.leftToNextOwner += read;
      const settled = this.stats.rebalances === rebalances && this.rebalancing === 0 && this.stats.assigned === 0;
      quiet = settled ? quiet + 1 : 0;
    }
    debug('close: left the group (%d partitions still assigned)', this.stats.assigned);
  }

  /** One read whose messages are not decoded: how many came. */
  private readAndDrop(c: RdConsumer): Promise<number> {
    return new Promise((resolve) => c.consume(500, (err, messages) => resolve(err ? 0 : messages.length)));
  }

  override _destroy(err: Error | null, done: (err: Error | null) => void): void {
    this.close().then(() => done(err), () => done(err));
  }
}

/** The Kafka source of a `kafka://…/TOPIC?group=NAME` URL. */
export function kafkaSource(url: string | SinkUrl, options?: KafkaSourceOptions): KafkaSource {
  const u = typeof url === 'string' ? parseSinkUrl(url) : url;
  if (u.scheme !== 'kafka') throw new SinkUrlError(`${u.display}: --from takes kafka://HOST:PORT/TOPIC?group=NAME`);
  return new KafkaSource(u, options);
}
