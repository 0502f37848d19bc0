/** Bootstrap configurations: a form for the common case (one LwM2M server account) and raw JSON. */
import { useEffect, useState } from 'react';
import { call, enc } from '../api';
import { EndpointTable } from '../components/endpoint-table';
import { StatusMessage, useStatus } from '../components/status-message';
import { TextField } from '../components/text-field';
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
  const { status, attempt } = useStatus();
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

  const save = (config: unknown) =>
    attempt(async () => {
      await call('PUT', `/api/bootstrap/${enc(endpoint)}`, config);
      list.reload();
      return `Saved the bootstrap configuration of ${endpoint}`;
    });

  return (
    <section>
      <div className="page-head">
        <h1>Bootstrap</h1>
      </div>
      <p className="muted">
        What the bootstrap server writes to a device that asks for it (Security and Server instances).
      </p>
      <StatusMessage status={status} />
      <div className="split">
        <form
          className="card pad form-grid"
          onSubmit={(e) => {
            e.preventDefault();
            void save(json.trim() ? JSON.parse(json) : formConfig());
          }}
        >
          <TextField label="Endpoint" value={endpoint} onValue={setEndpoint} required testId="bs-endpoint" />
          <TextField label="LwM2M server URI" value={uri} onValue={setUri} required />
          <TextField label="Lifetime (s)" value={lifetime} onValue={setLifetime} inputMode="numeric" />
          <TextField label="Binding" value={binding} onValue={setBinding} />
          <TextField label="PSK identity" value={identity} onValue={setIdentity} placeholder="empty: no security" />
          <TextField label="PSK key (hex)" value={key} onValue={setKey} />
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
      <EndpointTable
        testId="bootstrap-table"
        headers={['Endpoint', 'Servers', 'Security']}
        rows={list.data}
        cells={(e) => (
          <>
            <td>{e.endpoint}</td>
            <td>
              {Object.values(e.config.servers ?? {})
                .map((s) => `ssid ${s.shortServerId}, ${s.lifetime} s, ${s.binding}`)
                .join('; ')}
            </td>
            <td>
              {Object.values(e.config.security ?? {})
                .map((s) => `${s.uri} (${['PSK', 'RPK', 'X.509', 'none', 'EST'][s.securityMode] ?? s.securityMode})`)
                .join('; ')}
            </td>
          </>
        )}
        base="/api/bootstrap"
        onChange={list.reload}
        empty="No bootstrap configuration."
      />
    </section>
  );
}
