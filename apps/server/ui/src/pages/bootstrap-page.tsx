/** Bootstrap configurations: a form for the common case (one LwM2M server account) and raw JSON. */
import { useEffect, useState } from 'react';
import { call, enc } from '../api';
import { useApi, useEvents } from '../hooks';

interface Entry {
  endpoint: string;
  config: {
    security?: Record<
      string,
      { uri: string; bootstrapServer: boolean; securityMode: number; publicKeyOrIdentity?: string }
    >;
    servers?: Record<string, { shortServerId: number; lifetime: number; binding: string }>;
  };
}

const toHex = (text: string) =>
  Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, '0')).join('');

export function BootstrapPage() {
  const list = useApi<Entry[]>('/api/bootstrap');
  const [endpoint, setEndpoint] = useState('');
  const [uri, setUri] = useState(`coap://${window.location.hostname}:5683`);
  const info = useApi<{ coap: { udpPort: number } }>('/api/server');
  const infoPort = info.data?.coap.udpPort;
  useEffect(() => {
    if (infoPort !== undefined) setUri(`coap://${window.location.hostname}:${infoPort}`);
  }, [infoPort]);
  const [lifetime, setLifetime] = useState('300');
  const [binding, setBinding] = useState('U');
  const [identity, setIdentity] = useState('');
  const [key, setKey] = useState('');
  const [json, setJson] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const [sessions, setSessions] = useState<string[]>([]);
  useEvents({ types: 'bootstrap' }, (e) => {
    if (e.type === 'bootstrap')
      setSessions((s) =>
        [`${new Date().toLocaleTimeString()} ${e.endpoint}: ${e.phase} — ${e.detail}`, ...s].slice(0, 20),
      );
  });

  const formConfig = () => ({
    toDelete: ['/0', '/1'],
    security: {
      0: {
        uri,
        bootstrapServer: false,
        securityMode: identity ? 0 : 3,
        shortServerId: 1,
        ...(identity ? { publicKeyOrIdentity: toHex(identity), secretKey: key } : {}),
      },
    },
    servers: { 0: { shortServerId: 1, lifetime: Number(lifetime), binding, notificationStoring: true } },
  });

  const save = async (config: unknown) => {
    try {
      await call('PUT', `/api/bootstrap/${enc(endpoint)}`, config);
      setMessage({ ok: true, text: `Saved the bootstrap configuration of ${endpoint}` });
      list.reload();
    } catch (error) {
      setMessage({ ok: false, text: (error as Error).message });
    }
  };

  return (
    <section>
      <div className="page-head">
        <h1>Bootstrap</h1>
      </div>
      <p className="muted">
        What the bootstrap server writes to a device that asks for it (Security and Server instances).
      </p>
      {message && <div className={`status ${message.ok ? 'ok' : 'bad'}`}>{message.text}</div>}
      <div className="split">
        <form
          className="card pad form-grid"
          onSubmit={(e) => {
            e.preventDefault();
            void save(json.trim() ? JSON.parse(json) : formConfig());
          }}
        >
          <label>
            Endpoint{' '}
            <input value={endpoint} onChange={(e) => setEndpoint(e.target.value)} required data-testid="bs-endpoint" />
          </label>
          <label>
            LwM2M server URI <input value={uri} onChange={(e) => setUri(e.target.value)} required />
          </label>
          <label>
            Lifetime (s) <input value={lifetime} onChange={(e) => setLifetime(e.target.value)} inputMode="numeric" />
          </label>
          <label>
            Binding <input value={binding} onChange={(e) => setBinding(e.target.value)} />
          </label>
          <label>
            PSK identity{' '}
            <input value={identity} onChange={(e) => setIdentity(e.target.value)} placeholder="empty: no security" />
          </label>
          <label>
            PSK key (hex) <input value={key} onChange={(e) => setKey(e.target.value)} />
          </label>
          <label className="wide">
            Or the whole configuration as JSON (bytes as hex)
            <textarea
              rows={5}
              value={json}
              onChange={(e) => setJson(e.target.value)}
              placeholder={JSON.stringify(formConfig())}
            />
          </label>
          <button type="submit" className="primary" data-testid="bs-save">
            Save
          </button>
        </form>
        <div className="card pad">
          <h3>Sessions</h3>
          {sessions.length === 0 ? (
            <p className="muted">No bootstrap session since this page opened.</p>
          ) : (
            <ul className="plain">
              {sessions.map((s) => (
                <li key={s}>{s}</li>
              ))}
            </ul>
          )}
        </div>
      </div>
      <div className="card">
        <table className="table" data-testid="bootstrap-table">
          <thead>
            <tr>
              <th>Endpoint</th>
              <th>Servers</th>
              <th>Security</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data?.map((e) => (
              <tr key={e.endpoint}>
                <td>{e.endpoint}</td>
                <td>
                  {Object.values(e.config.servers ?? {})
                    .map((s) => `ssid ${s.shortServerId}, ${s.lifetime} s, ${s.binding}`)
                    .join('; ')}
                </td>
                <td>
                  {Object.values(e.config.security ?? {})
                    .map(
                      (s) => `${s.uri} (${['PSK', 'RPK', 'X.509', 'none', 'EST'][s.securityMode] ?? s.securityMode})`,
                    )
                    .join('; ')}
                </td>
                <td>
                  <button
                    type="button"
                    onClick={() => call('DELETE', `/api/bootstrap/${enc(e.endpoint)}`).then(list.reload, list.reload)}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
            {list.data?.length === 0 && (
              <tr>
                <td colSpan={4} className="empty">
                  No bootstrap configuration.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
