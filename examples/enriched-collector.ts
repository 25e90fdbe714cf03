// A collector that writes one flow shape for every vendor, enriched: sampling-scaled bytes,
// interface names the routers send, network names from a file, countries and AS names from a
// MaxMind database; SIGHUP re-reads the files without stopping. The CLI equivalent:
//   flowpipe collect --listen 2055 --networks networks.yaml --geoip GeoLite2-Country.mmdb --flows-only
// Run: node dist/examples/enriched-collector.js 2055 networks.yaml GeoLite2-Country.mmdb [GeoLite2-ASN.mmdb]
import { pipeline } from 'node:stream/promises';
import { decode, Enrichment, fileSink, udpSource } from 'flowpipe';

const [port = '2055', networksFile, ...geoipFiles] = process.argv.slice(2);

// One config builds the normalizer and its enrichers (the same config runs in decode workers).
const enrichment = await Enrichment.load({ normalize: true, flowsOnly: true, networks: networksFile, geoip: geoipFiles, watch: true });
process.on('SIGHUP', () => void enrichment.reload().catch((err: Error) => console.error(`reload failed: ${err.message}`)));

const source = udpSource({ listen: [Number(port)] });
await source.listen();
process.once('SIGINT', () => source.close());
setInterval(() => console.error(JSON.stringify(enrichment.stats)), 10_000).unref();

// decode({ enrich }) normalizes each datagram's records as they are decoded, with its receive time.
await pipeline(source, decode({ output: 'ndjson', enrich: enrichment }), fileSink('flows.ndjson.gz', { maxBytes: 1e9 }));
