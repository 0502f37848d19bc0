/** The transports the transport benchmark compares (all our engine on both ends). */
export type TransportKind = 'udp' | 'udp-oscore' | 'dtls' | 'tcp' | 'tls' | 'ws';
export const TRANSPORT_KINDS: readonly TransportKind[] = ['udp', 'udp-oscore', 'dtls', 'tcp', 'tls', 'ws'];

export const SCHEMES: Record<TransportKind, string> = {
  udp: 'coap',
  'udp-oscore': 'coap',
  dtls: 'coaps',
  tcp: 'coap+tcp',
  tls: 'coaps+tcp',
  ws: 'coap+ws',
};

export function parseTransportKinds(list: string): TransportKind[] {
  if (list === 'none') return [];
  const kinds = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const k of kinds)
    if (!TRANSPORT_KINDS.includes(k as TransportKind))
      throw new Error(`unknown transport "${k}" (expected ${TRANSPORT_KINDS.join(', ')} or none)`);
  return kinds as TransportKind[];
}
