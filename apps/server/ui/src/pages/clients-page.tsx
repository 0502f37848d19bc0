/** The clients table: live (SSE), searchable, with each client's status. */
import { useState } from 'react';
import type { Navigate } from '../app';
import { ago, useApi, useEvents } from '../hooks';
import type { Registration } from '../types';

interface Page {
  total: number;
  items: Registration[];
}

export function StatusBadges({ r }: { r: Registration }) {
  return (
    <span className="badges">
      {r.queueMode ? (
        r.sleeping ? (
          <span className="badge sleeping">sleeping</span>
        ) : (
          <span className="badge awake">awake</span>
        )
      ) : (
        <span className="badge online">online</span>
      )}
      {r.secured ? (
        <span className="badge secure" title={r.securityMode}>
          secured
        </span>
      ) : (
        <span className="badge plain">no security</span>
      )}
    </span>
  );
}

export function ClientsPage({ navigate }: { navigate: Navigate }) {
  const [search, setSearch] = useState('');
  const url = `/api/clients?limit=1000${search ? `&search=${encodeURIComponent(search)}` : ''}`;
  const { data, error, setData } = useApi<Page>(url);
  const [, tick] = useState(0);
  const live = useEvents({ types: 'registered,updated,deregistered,sleeping,awake' }, (event) => {
    setData((page) => {
      if (!page) return page;
      const items = [...page.items];
      let total = page.total;
      const index = items.findIndex((r) => r.endpoint === event.endpoint);
      if (event.type === 'registered' || event.type === 'updated') {
        if (search && !event.endpoint.toLowerCase().includes(search.toLowerCase())) return page;
        if (index >= 0) items[index] = event.registration;
        else {
          items.push(event.registration);
          total++;
        }
        items.sort((a, b) => (a.endpoint < b.endpoint ? -1 : 1));
      } else if (event.type === 'deregistered') {
        if (index >= 0) {
          items.splice(index, 1);
          total--;
        }
      } else if ((event.type === 'sleeping' || event.type === 'awake') && index >= 0) {
        items[index] = { ...items[index]!, sleeping: event.type === 'sleeping' };
      }
      return { total, items };
    });
    tick((n) => n + 1);
  });

  return (
    <section>
      <div className="page-head">
        <h1>Clients</h1>
        <span className={`live ${live ? 'on' : ''}`}>{live ? 'live' : 'connecting…'}</span>
        <input
          className="search"
          placeholder="Search endpoint…"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          data-testid="client-search"
        />
      </div>
      {error && <div className="error">{error}</div>}
      <div className="card">
        <table className="table" data-testid="clients-table">
          <thead>
            <tr>
              <th>Endpoint</th>
              <th>Status</th>
              <th>LwM2M</th>
              <th>Binding</th>
              <th>Transport</th>
              <th>Lifetime</th>
              <th>Address</th>
              <th>Last update</th>
            </tr>
          </thead>
          <tbody>
            {data?.items.map((r) => (
              <tr
                key={r.endpoint}
                className="clickable"
                data-endpoint={r.endpoint}
                onClick={() => navigate(`/clients/${encodeURIComponent(r.endpoint)}`)}
              >
                <td>
                  <a
                    href={`/clients/${encodeURIComponent(r.endpoint)}`}
                    onClick={(e) => {
                      e.preventDefault();
                    }}
                  >
                    {r.endpoint}
                  </a>
                </td>
                <td>
                  <StatusBadges r={r} />
                </td>
                <td>{r.lwm2mVersion}</td>
                <td>
                  <code>{r.binding}</code>
                  {r.queueMode ? ' (queue)' : ''}
                </td>
                <td>{r.transport ?? ''}</td>
                <td>{r.lifetime} s</td>
                <td className="mono">
                  {r.address}:{r.port}
                </td>
                <td title={r.lastUpdate}>{ago(r.lastUpdate)}</td>
              </tr>
            ))}
            {data && data.items.length === 0 && (
              <tr>
                <td colSpan={8} className="empty">
                  No client registered{search ? ` matching “${search}”` : ''}. Point a device at this server's CoAP
                  port.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {data && (
        <p className="muted">
          {data.total} client(s)
          {data.total > data.items.length ? `, showing the first ${data.items.length}: search to narrow` : ''}
        </p>
      )}
    </section>
  );
}
