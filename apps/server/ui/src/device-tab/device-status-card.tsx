/** Where the tab's device stands: state, registration location, updates, the last problem. */
import type { BrowserIdentity } from './browser-identity';
import type { DeviceState, TabDeviceSnapshot } from './tab-device';

const LABELS: Record<DeviceState, string> = {
  idle: 'not registered',
  registering: 'registering…',
  registered: 'registered',
  deregistering: 'de-registering…',
  deregistered: 'de-registered',
  failed: 'registration failed',
};

export function DeviceStatusCard({
  endpoint,
  snapshot,
  identity,
  onDeregister,
}: {
  endpoint: string;
  snapshot: TabDeviceSnapshot;
  identity: BrowserIdentity;
  onDeregister: () => void;
}) {
  const { state } = snapshot;
  const live = state === 'registering' || state === 'registered' || state === 'failed';
  return (
    <div className="card">
      <div className="facts">
        <div>
          <span className="fact-label">Endpoint</span>
          <code data-testid="device-name">{endpoint}</code>
        </div>
        <div>
          <span className="fact-label">State</span>
          <span className={`device-state ${state}`} data-testid="device-state" data-state={state}>
            {LABELS[state]}
          </span>
        </div>
        <div>
          <span className="fact-label">Location</span>
          <code>{snapshot.location ?? '–'}</code>
        </div>
        <div>
          <span className="fact-label">Updates</span>
          <span data-testid="device-updates">{snapshot.updates}</span>
        </div>
        <div>
          <span className="fact-label">Manufacturer / model</span>
          {identity.manufacturer} · {identity.modelNumber}
        </div>
        <div className="device-actions">
          {state === 'registered' && (
            <a href={`/clients/${encodeURIComponent(endpoint)}`} target="_blank" rel="noreferrer">
              Open its client page
            </a>
          )}
          <button
            type="button"
            className="danger"
            disabled={!live}
            onClick={onDeregister}
            data-testid="device-deregister"
          >
            Deregister
          </button>
        </div>
      </div>
      {snapshot.error && (
        <div className="error device-error" data-testid="device-error">
          {snapshot.error}
        </div>
      )}
    </div>
  );
}
