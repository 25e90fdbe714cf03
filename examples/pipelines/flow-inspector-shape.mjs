// flow-inspector's queue entry (lib/common.py's column names) from a normalized flow.
const ipv4 = (a) => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const seconds = (ms) => (ms === undefined ? undefined : Math.floor(ms / 1000));

export default function flowInspectorEntry(f) {
  if (f.srcAddr === undefined || f.dstAddr === undefined) return undefined; // options data
  return {
    sourceIPv4Address: ipv4(f.srcAddr),
    destinationIPv4Address: ipv4(f.dstAddr),
    sourceTransportPort: f.srcPort ?? 0,
    destinationTransportPort: f.dstPort ?? 0,
    protocolIdentifier: f.proto ?? 0,
    octetDeltaCount: f.bytes ?? 0,
    packetDeltaCount: f.packets ?? 0,
    flowStartSeconds: seconds(f.timeStart ?? f.timeReceived),
    flowEndSeconds: seconds(f.timeEnd ?? f.timeReceived),
  };
}
