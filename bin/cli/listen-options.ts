// --listen, --allow, --recv-buffer and --queue checked and turned into a UDP source before
// anything binds or starts: a bad value is one line and exit 2.
import { udpSource, UdpSourceOptionError, type UdpSource } from '../../transforms/sources/udp-source.js';
import { int, UsageError, type Parsed } from './args.js';

/**
 * The default SO_RCVBUF asked for. The kernel caps it at net.core.rmem_max (often 4 MiB or less):
 * an operator who raises that gets the larger buffer without a flag. 32 MiB holds about half a
 * second at 50 k datagrams/s, what the cold first second with 2 workers needed here (0 lost
 * against 2-4 k at 4 MiB).
 */
const DEFAULT_RECV_BUFFER = 32 * 1024 * 1024;

/** A UDP source from the command's options (not yet bound: call listen()). */
export function udpSourceFrom(p: Parsed): UdpSource {
  const listen = p.opts.get('listen');
  if (typeof listen !== 'string') throw new UsageError('needs --listen PORT');
  const allow = p.opts.get('allow');
  try {
    return udpSource({
      listen: listen.split(',').map((s) => s.trim()).map((s) => (/^\d+$/.test(s) ? Number(s) : s)),
      ...(typeof allow === 'string' ? { allow: allow.split(',') } : {}),
      recvBufferSize: int(p.opts.get('recv-buffer'), '--recv-buffer', 1, 2 ** 31 - 1) ?? DEFAULT_RECV_BUFFER,
      ...(p.opts.has('queue') ? { maxQueue: int(p.opts.get('queue'), '--queue', 1, 10_000_000) } : {}),
    });
  } catch (err) {
    if (err instanceof UdpSourceOptionError) throw new UsageError(err.message);
    throw err;
  }
}
