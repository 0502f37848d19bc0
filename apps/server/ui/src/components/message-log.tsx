/** A client's CoAP messages, newest first, live. */
import type { CoapLogEntry } from '../types';

const FORMATS: Record<number, string> = {
  0: 'text',
  40: 'link',
  42: 'opaque',
  60: 'cbor',
  110: 'senml+json',
  112: 'senml+cbor',
  11542: 'tlv',
  11543: 'lwm2m+json',
  11544: 'lwm2m+cbor',
};

export function MessageLog({ entries }: { entries: readonly CoapLogEntry[] }) {
  return (
    <div className="card scroll">
      <table className="table compact" data-testid="message-log">
        <thead>
          <tr>
            <th>Time</th>
            <th />
            <th>Type</th>
            <th>Code</th>
            <th>MID</th>
            <th>Token</th>
            <th>Path / query</th>
            <th>Format</th>
            <th>Payload</th>
          </tr>
        </thead>
        <tbody>
          {[...entries].reverse().map((e, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a log has no ids; repeated messages look alike
            <tr key={`${e.at}-${i}`} className={e.direction}>
              <td className="mono">{new Date(e.at).toLocaleTimeString()}</td>
              <td className={`dir ${e.direction}`}>{e.direction === 'in' ? '⟵ in' : 'out ⟶'}</td>
              <td>{e.type}</td>
              <td>
                <code>{e.code}</code>
                {e.observe !== undefined ? <small> obs={e.observe}</small> : null}
              </td>
              <td className="mono">{e.messageId}</td>
              <td className="mono">{e.token}</td>
              <td className="mono">
                {e.path !== '/' ? e.path : ''}
                {e.query ? `?${e.query}` : ''}
              </td>
              <td>{e.contentFormat !== undefined ? (FORMATS[e.contentFormat] ?? e.contentFormat) : ''}</td>
              <td className="mono payload" title={e.payload}>
                {e.payloadBytes > 0 ? `${e.payloadBytes} B ${e.payload.slice(0, 80)}` : ''}
              </td>
            </tr>
          ))}
          {entries.length === 0 && (
            <tr>
              <td colSpan={9} className="empty">
                No message yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
