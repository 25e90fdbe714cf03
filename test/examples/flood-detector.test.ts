import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FloodDetector, packetsOf, type Rule } from '../../examples/flood-detector/detector.js';
import type { FlowRecord } from '../../index.js';
import { ROOT } from '../helpers/paths.js';

const root = ROOT;
const rules = JSON.parse(readFileSync(root + 'examples/flood-detector/rules.json', 'utf8')) as Rule[];
const sample = (dst: string, rate: number, vlan?: number): FlowRecord =>
  ({ kind: 'flow', protocol: 'sflow-v5', exporter: 'x', domain: 0, templateId: 0, exportTime: 0, sequence: 0, destinationIPv4Address: dst, samplingRate: rate, ...(vlan === undefined ? {} : { vlanId: vlan }) }) as FlowRecord;

test('flood detector: first matching rule wins, VLAN narrows a rule', () => {
  const d = new FloodDetector(rules);
  assert.equal(d.match('192.0.2.53', undefined)?.name, 'dns-servers');
  assert.equal(d.match('198.51.100.9', 100)?.name, 'customer-vlan-100');
  assert.equal(d.match('198.51.100.9', 200)?.name, 'everything-else', 'another VLAN falls through');
  assert.equal(d.match('2001:db8::1', undefined), undefined, 'no IPv6 rule');
});

test('flood detector: packets per second scaled by sampling rate; block once, unblock after the hold', () => {
  const d = new FloodDetector(rules);
  const t0 = 1_700_000_000_000;
  // 40 sFlow samples at 1-in-1000 in one second: 40,000 pps, under the 50,000 threshold.
  for (let i = 0; i < 40; i++) assert.deepEqual(d.observe(sample('192.0.2.53', 1000), t0 + i), []);
  // The next second starts from zero.
  const next = t0 + 1000;
  const actions = [];
  for (let i = 0; i < 60; i++) actions.push(...d.observe(sample('192.0.2.53', 1000), next + i));
  assert.equal(actions.length, 1, 'blocked once, not once per sample');
  assert.deepEqual(actions[0], { type: 'block', rule: 'dns-servers', address: '192.0.2.53', pps: 51000, command: ['/usr/sbin/ip', 'route', 'add', 'blackhole', '192.0.2.53/32'] });
  const blockedAt = next + 50; // the 51st sample of the second crossed 50,000 pps
  assert.deepEqual(d.expire(blockedAt + 299_999), []);
  const un = d.expire(blockedAt + 300_000);
  assert.deepEqual(un.map((a) => [a.type, a.command.join(' ')]), [['unblock', '/usr/sbin/ip route del blackhole 192.0.2.53/32']]);
});

test('flood detector: NetFlow flows count their packets times the sampling interval', () => {
  const flow = { kind: 'flow', protocol: 'netflow-v5', packetDeltaCount: 30, samplingInterval: 100 } as unknown as FlowRecord;
  assert.equal(packetsOf(flow), 3000);
  assert.equal(packetsOf({ kind: 'counters', protocol: 'sflow-v5' } as unknown as FlowRecord), 0, 'counter samples are not traffic');
});
