/** Requests waiting for a sleeping client, with cancel. */
import { call, clientUrl, enc } from '../api';
import { useApi } from '../hooks';

interface Queued {
  id: string;
  kind: string;
  path: string;
  enqueuedAt: string;
  expiresAt: string;
}

export function QueuePanel({ endpoint, generation }: { endpoint: string; generation: number }) {
  const { data, error, reload } = useApi<Queued[]>(`${clientUrl(endpoint, '/queue')}?g=${generation}`);
  return (
    <div className="card">
      {error && <div className="error">{error}</div>}
      <table className="table" data-testid="queue-table">
        <thead>
          <tr>
            <th>Request</th>
            <th>Path</th>
            <th>Queued</th>
            <th>Expires</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {data?.map((q) => (
            <tr key={q.id}>
              <td>{q.kind}</td>
              <td className="mono">{q.path}</td>
              <td>{new Date(q.enqueuedAt).toLocaleString()}</td>
              <td>{new Date(q.expiresAt).toLocaleString()}</td>
              <td>
                <button
                  type="button"
                  onClick={() => call('DELETE', clientUrl(endpoint, `/queue/${enc(q.id)}`)).then(reload, reload)}
                >
                  Cancel
                </button>
              </td>
            </tr>
          ))}
          {data?.length === 0 && (
            <tr>
              <td colSpan={5} className="empty">
                Nothing queued. Requests to a sleeping queue-mode client wait here until it wakes up.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
