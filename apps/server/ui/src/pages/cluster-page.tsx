/** Cluster: the live server nodes (heartbeats in Redis) and how many devices each owns; refreshed every 2 s. */
import { useEffect } from 'react';
import { ago, useApi } from '../hooks';

interface ClusterNode {
  id: string;
  devices: number;
  lastSeen: number;
  http?: string;
}

export function ClusterPage() {
  const nodes = useApi<{ nodes: ClusterNode[] }>('/api/cluster/nodes');
  const { reload } = nodes;
  useEffect(() => {
    const timer = setInterval(reload, 2000);
    return () => clearInterval(timer);
  }, [reload]);
  const list = nodes.data?.nodes ?? [];
  const total = list.reduce((sum, n) => sum + n.devices, 0);
  return (
    <section>
      <div className="page-head">
        <h1>Cluster</h1>
        <span className="muted">
          {list.length} node{list.length === 1 ? '' : 's'}, {total} device{total === 1 ? '' : 's'}
        </span>
      </div>
      {nodes.error && <p className="error">{nodes.error}</p>}
      <div className="card">
        <table className="table compact" data-testid="cluster-nodes">
          <thead>
            <tr>
              <th>Node</th>
              <th>Devices owned</th>
              <th>Last heartbeat</th>
              <th>API</th>
            </tr>
          </thead>
          <tbody>
            {list.map((n) => (
              <tr key={n.id}>
                <td>{n.id}</td>
                <td>{n.devices}</td>
                <td>{ago(n.lastSeen)}</td>
                <td>{n.http ? <a href={n.http}>{n.http}</a> : <span className="muted">—</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="muted">
        A device is owned by the node that received its last Register or Update; requests sent to any node are forwarded
        to it. Started without <code>--redis</code>, this server is the only node.
      </p>
    </section>
  );
}
