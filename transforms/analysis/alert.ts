// alert({ rules }): the alert engine as a stage. Alert and alert-end records go on downstream
// (with the flows: `passFlows`); each carries its actions, which this stage runs: commands with
// execFile (argv as given, the alert's values as separate arguments and as FLOWPIPE_* environment
// variables, never a shell), webhooks as a JSON POST with a timeout and retries. Actions are
// rate-limited per rule; what is suppressed or fails is counted.
import { execFile } from 'node:child_process';
import { Transform, type TransformCallback } from 'node:stream';
import { AlertEngine, type AlertRecord, type RuleSpec } from '../../lib/analysis/alert.js';

export interface AlertStageOptions {
  rules: readonly RuleSpec[];
  /** Also pass the flows on (default false: only alert records come out). */
  passFlows?: boolean;
  /** Actions per rule per minute (default 30); beyond, suppressed and counted. */
  actionsPerMinute?: number;
  /** A command or webhook gets this long (default 10 s). */
  actionTimeoutMs?: number;
  /** Webhook attempts (default 3, backing off 1 s, 2 s). */
  webhookAttempts?: number;
  /** Wall-clock check for hold times while no flow arrives (default 1 s; 0: off). */
  tickMs?: number;
  /** Called with each alert and alert end (e.g. to log it). */
  onAlert?: (a: AlertRecord) => void;
}

export interface AlertActionStats { commands: number; commandFailures: number; webhooks: number; webhookFailures: number; suppressed: number; lastError: string | null }

export class AlertStage extends Transform {
  readonly engine: AlertEngine;
  readonly actions: AlertActionStats = { commands: 0, commandFailures: 0, webhooks: 0, webhookFailures: 0, suppressed: 0, lastError: null };
  private readonly recent = new Map<string, number[]>();
  private readonly running = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: AlertStageOptions) {
    super({ objectMode: true, highWaterMark: 1024 });
    this.engine = new AlertEngine(options.rules);
    const tick = options.tickMs ?? 1000;
    if (tick > 0) {
      this.timer = setInterval(() => this.emitAll(this.engine.expire(Date.now())), tick);
      this.timer.unref();
    }
  }

  override _transform(r: Record<string, unknown>, _e: BufferEncoding, done: TransformCallback): void {
    if (this.options.passFlows) this.push(r);
    this.emitAll(this.engine.add(r));
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.timer !== null) clearInterval(this.timer);
    Promise.all([...this.running]).then(() => done(), () => done());
  }

  override _destroy(err: Error | null, done: (err: Error | null) => void): void {
    if (this.timer !== null) clearInterval(this.timer);
    done(err);
  }

  private emitAll(alerts: AlertRecord[]): void {
    for (const a of alerts) {
      this.options.onAlert?.(a);
      this.push(a);
      for (const action of a.actions) this.act(a, action);
    }
  }

  /** Runs one action unless the rule's budget for this minute is spent. */
  private act(a: AlertRecord, action: AlertRecord['actions'][number]): void {
    const now = Date.now();
    const times = (this.recent.get(a.rule) ?? []).filter((t) => now - t < 60_000);
    if (times.length >= (this.options.actionsPerMinute ?? 30)) {
      this.actions.suppressed++;
      this.recent.set(a.rule, times);
      return;
    }
    times.push(now);
    this.recent.set(a.rule, times);
    const p = (action.run !== undefined ? this.run(action.run, a) : this.post(action.webhook!, a)).finally(() => this.running.delete(p));
    this.running.add(p);
  }

  private run(argv: string[], a: AlertRecord): Promise<void> {
    this.actions.commands++;
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [k, v] of Object.entries(a)) if (typeof v !== 'object') env[`FLOWPIPE_${k.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`] = String(v);
    return new Promise((resolve) => {
      execFile(argv[0]!, argv.slice(1), { env, timeout: this.options.actionTimeoutMs ?? 10_000 }, (err) => {
        if (err) { this.actions.commandFailures++; this.actions.lastError = `${argv[0]}: ${err.message}`; }
        resolve();
      });
    });
  }

  private async post(url: string, a: AlertRecord): Promise<void> {
    this.actions.webhooks++;
    const attempts = this.options.webhookAttempts ?? 3;
    for (let i = 0; i < attempts; i++) {
      try {
        const r = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(a), signal: AbortSignal.timeout(this.options.actionTimeoutMs ?? 10_000) });
        if (r.ok) return;
        this.actions.lastError = `${url}: HTTP ${r.status}`;
      } catch (err) {
        this.actions.lastError = `${url}: ${(err as Error).message}`;
      }
      if (i < attempts - 1) await new Promise((r) => setTimeout(r, 1000 * 2 ** i));
    }
    this.actions.webhookFailures++;
  }
}

/** @example pipeline(udpSource(…), decode({ enrich }), alert({ rules }), toNdjson(), process.stdout) */
export function alert(options: AlertStageOptions): AlertStage {
  return new AlertStage(options);
}
