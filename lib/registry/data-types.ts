/** IPFIX abstract data types (RFC 7011 §6.1, RFC 6313 for the list types). */
export type DataType =
  | 'octetArray' | 'unsigned8' | 'unsigned16' | 'unsigned32' | 'unsigned64'
  | 'signed8' | 'signed16' | 'signed32' | 'signed64' | 'float32' | 'float64' | 'boolean'
  | 'macAddress' | 'string' | 'dateTimeSeconds' | 'dateTimeMilliseconds'
  | 'dateTimeMicroseconds' | 'dateTimeNanoseconds' | 'ipv4Address' | 'ipv6Address'
  | 'basicList' | 'subTemplateList' | 'subTemplateMultiList';

/** Lengths a type's values may be encoded in (reduced-size encoding included, RFC 7011 §6.2). */
export function acceptsLength(type: DataType, length: number): boolean {
  switch (type) {
    case 'unsigned8': case 'signed8': case 'boolean': return length === 1;
    case 'unsigned16': case 'signed16': return length >= 1 && length <= 2;
    case 'unsigned32': case 'signed32': case 'dateTimeSeconds': return length >= 1 && length <= 4;
    case 'unsigned64': case 'signed64': case 'dateTimeMilliseconds': return length >= 1 && length <= 8;
    case 'dateTimeMicroseconds': case 'dateTimeNanoseconds': return length === 8;
    case 'float32': return length === 4;
    case 'float64': return length === 4 || length === 8;
    case 'macAddress': return length === 6;
    case 'ipv4Address': return length === 4;
    case 'ipv6Address': return length === 16;
    default: return true;
  }
}
