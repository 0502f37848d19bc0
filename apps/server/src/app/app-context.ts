/** Everything the HTTP API works with, built by `startServerApp` (or by a test). */
import type { ModelRegistry, ResourceModel } from '@lwm2m-ts/objects';
import {
  type BootstrapConfigStore,
  type CoapBootstrapServer,
  type EditableSecurityStore,
  type Registration,
  registrationLinks,
} from '@lwm2m-ts/server';
import type { ClusterNodeInfo } from '../cluster/node-registry';
import type { CoapMessageLog } from '../events/coap-message-log';
import type { EventHub } from '../events/event-hub';
import type { ServerGroup } from './server-group';

export interface AppContext {
  /** The LwM2M servers (one per transport), as one. */
  readonly servers: ServerGroup;
  readonly bootstrap?: CoapBootstrapServer;
  readonly models: ModelRegistry;
  readonly security: EditableSecurityStore;
  /** Credentials the bootstrap server checks (bootstrap PSK / RPK / X.509 per endpoint). */
  readonly bootstrapSecurity?: EditableSecurityStore;
  readonly bootstrapConfigs: BootstrapConfigStore;
  readonly hub: EventHub;
  readonly messageLog: CoapMessageLog;
  /** The cluster's live nodes (cluster mode), or this one node. */
  readonly cluster?: { nodes(): Promise<ClusterNodeInfo[]> };
  /** Where devices reach this server (for the UI and GET /api/server). */
  readonly listening?: ListeningInfo;
}

export interface ListeningInfo {
  readonly version: string;
  readonly coap: {
    readonly udpPort: number;
    readonly dtlsPort?: number;
    readonly tcpPort?: number;
    readonly tlsPort?: number;
    readonly webSockets: boolean;
  };
  readonly bootstrapPort?: number;
  readonly bootstrapCoapsPort?: number;
}

/** Resource models as this client sees them: by the object versions it registered with. */
export function resourceModelsOf(models: ModelRegistry, registration: Registration) {
  let versions: ReadonlyMap<number, { version: string }> = new Map();
  try {
    versions = registrationLinks(registration).objects;
  } catch {
    // keep latest versions
  }
  return (objectId: number, resourceId: number): ResourceModel | undefined => {
    const version = versions.get(objectId)?.version;
    return (
      (version !== undefined ? models.resource(objectId, resourceId, version) : undefined) ??
      models.latest(objectId)?.resources.get(resourceId)
    );
  };
}
