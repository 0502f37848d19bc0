/**
 * Per-endpoint credentials (PSK, RPK, X.509) of the LwM2M server or of the bootstrap server.
 * Secrets are write-only.
 */
import { useState } from 'react';
import { call, enc } from '../api';
import { EndpointTable } from '../components/endpoint-table';
import { StatusMessage, useStatus } from '../components/status-message';
import { TextField } from '../components/text-field';
import { useApi } from '../hooks';

interface SecurityJson {
  endpoint: string;
  psk?: { identity: string };
  rpk?: { publicKey: string };
  x509?: { subject?: string; commonNameIsEndpoint?: boolean };
  oscore?: { recipientId: string; senderId: string };
}

const STORES = {
  clients: { base: '/api/security/clients', label: 'LwM2M server' },
  bootstrap: { base: '/api/security/bootstrap', label: 'Bootstrap server' },
} as const;

export function SecurityPage() {
  const [store, setStore] = useState<keyof typeof STORES>('clients');
  const base = STORES[store].base;
  const list = useApi<SecurityJson[]>(base);
  const [mode, setMode] = useState<'psk' | 'rpk' | 'x509'>('psk');
  const [endpoint, setEndpoint] = useState('');
  const [a, setA] = useState('');
  const [b, setB] = useState('');
  const { status, attempt } = useStatus();

  const submit = async () => {
    const body =
      mode === 'psk'
        ? { psk: { identity: a, key: b } }
        : mode === 'rpk'
          ? { rpk: { publicKey: a } }
          : { x509: a ? { subject: a } : {} };
    await attempt(async () => {
      await call('PUT', `${base}/${enc(endpoint)}`, body);
      setEndpoint('');
      setA('');
      setB('');
      list.reload();
      return `Saved ${STORES[store].label.toLowerCase()} credentials of ${endpoint}`;
    });
  };

  return (
    <section>
      <div className="page-head">
        <h1>Security</h1>
      </div>
      <p className="muted">
        A client with credentials here may register (or, for the bootstrap server, bootstrap) only over a secured
        transport proving them. Keys are write-only.
      </p>
      <div className="tabs" role="tablist">
        {(Object.keys(STORES) as (keyof typeof STORES)[]).map((k) => (
          <button
            key={k}
            type="button"
            role="tab"
            aria-selected={store === k}
            className={store === k ? 'active' : ''}
            data-testid={`security-store-${k}`}
            onClick={() => setStore(k)}
          >
            {STORES[k].label}
          </button>
        ))}
      </div>
      <StatusMessage status={status} />
      <form
        className="card pad form-grid"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <TextField label="Endpoint" value={endpoint} onValue={setEndpoint} required testId="security-endpoint" />
        <label>
          Mode
          <select value={mode} onChange={(e) => setMode(e.target.value as typeof mode)} data-testid="security-mode">
            <option value="psk">Pre-shared key</option>
            <option value="rpk">Raw public key</option>
            <option value="x509">X.509 certificate</option>
          </select>
        </label>
        {mode === 'psk' && (
          <>
            <TextField label="Identity" value={a} onValue={setA} required testId="security-identity" />
            <TextField
              label="Key (hex)"
              value={b}
              onValue={setB}
              required
              pattern="([0-9a-fA-F]{2})+"
              testId="security-key"
            />
          </>
        )}
        {mode === 'rpk' && (
          <label>
            Public key (PEM, or hex SubjectPublicKeyInfo / 04‖x‖y){' '}
            <textarea
              value={a}
              onChange={(e) => setA(e.target.value)}
              required
              rows={4}
              className="mono"
              data-testid="security-rpk"
            />
          </label>
        )}
        {mode === 'x509' && (
          <TextField
            label="Subject"
            value={a}
            onValue={setA}
            placeholder="empty: CN must equal the endpoint"
            testId="security-subject"
          />
        )}
        <button type="submit" className="primary" data-testid="security-save">
          Save
        </button>
      </form>
      <EndpointTable
        testId="security-table"
        headers={['Endpoint', 'Mode', 'Identity']}
        rows={list.data}
        cells={(s) => (
          <>
            <td>{s.endpoint}</td>
            <td>{s.psk ? 'PSK' : s.rpk ? 'RPK' : s.x509 ? 'X.509' : s.oscore ? 'OSCORE' : '?'}</td>
            <td className="mono">
              {s.psk?.identity ??
                (s.rpk
                  ? `${s.rpk.publicKey.slice(0, 32)}…`
                  : s.x509
                    ? (s.x509.subject ?? 'CN = endpoint')
                    : s.oscore
                      ? `rid ${s.oscore.recipientId}`
                      : '')}
            </td>
          </>
        )}
        base={base}
        onChange={list.reload}
        removeTestId={(s) => `security-remove-${s.endpoint}`}
        empty={
          store === 'bootstrap'
            ? 'No bootstrap credentials: every client may bootstrap without security.'
            : 'No credentials: every client may register without security.'
        }
      />
    </section>
  );
}
