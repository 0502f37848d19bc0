/**
 * The observe request that established a stored observation, rebuilt from its `ObservationInfo`:
 * what another server node sends to re-establish it (same observation id) when it takes over a
 * device whose owner died.
 */
import type { ObserveCompositeRequest, ObserveRequest } from '../request/downlink-requests';
import { toPath } from '../request/request-builders';
import type { ObservationInfo } from './observation';

export function observeRequestOf(info: ObservationInfo): ObserveRequest | ObserveCompositeRequest {
  if (info.kind === 'single') {
    const path = info.paths[0];
    if (path === undefined) throw new TypeError(`observation ${info.id} has no path`);
    return { kind: 'observe', path: toPath(path), ...(info.format !== undefined ? { format: info.format } : {}) };
  }
  return {
    kind: 'observe-composite',
    paths: info.paths.map(toPath),
    ...(info.requestFormat !== undefined ? { requestFormat: info.requestFormat } : {}),
    ...(info.format !== undefined ? { responseFormat: info.format } : {}),
  };
}
