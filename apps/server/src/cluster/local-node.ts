/** `GET /api/cluster/nodes` on a single node: this node, owning every registered device. */
import type { ServerGroup } from '../app/server-group';
import type { ClusterNodeInfo } from './node-registry';

export interface LocalNodeView {
  nodes(): Promise<ClusterNodeInfo[]>;
  /** Set once the HTTP API listens. */
  http: string | undefined;
}

export function localNodeView(id: string, servers: ServerGroup): LocalNodeView {
  const view: LocalNodeView = {
    http: undefined,
    nodes: async () => [
      {
        id,
        devices: (await servers.listRegistrations()).length,
        lastSeen: Date.now(),
        ...(view.http ? { http: view.http } : {}),
      },
    ],
  };
  return view;
}
