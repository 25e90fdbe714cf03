// chain(a, b, …): streams as one Duplex (writes go into the first, the result ends when the last
// has) — node:stream compose(), which @types/node 20 does not declare.
import * as stream from 'node:stream';

type Compose = (...streams: (NodeJS.ReadableStream | NodeJS.WritableStream | NodeJS.ReadWriteStream)[]) => stream.Duplex;

export const chain: Compose = (stream as unknown as { compose: Compose }).compose;
