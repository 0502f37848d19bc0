/**
 * "Simulate a device in this tab": the browser registers itself as an LwM2M device over
 * CoAP/WebSockets to this server, and shows what the server does to it.
 */
import { useMemo } from 'react';
import { browserIdentity } from '../device-tab/browser-identity';
import { DeviceControls } from '../device-tab/device-controls';
import { DeviceStatusCard } from '../device-tab/device-status-card';
import { OperationsTable } from '../device-tab/operations-table';
import { SettingsForm } from '../device-tab/settings-form';
import { useTabDevice } from '../device-tab/use-tab-device';
import { useApi } from '../hooks';
import '../device-tab/device-tab.css';

interface ServerInfo {
  coap?: { webSockets?: boolean };
}

export function DeviceTabPage() {
  const server = useApi<ServerInfo>('/api/server');
  const identity = useMemo(() => browserIdentity(navigator.userAgent), []);
  const tab = useTabDevice();
  const noWebSockets = server.data?.coap?.webSockets === false;

  return (
    <section>
      <div className="page-head">
        <h1>Simulate a device in this tab</h1>
      </div>
      <p className="muted">
        This page runs an LwM2M client in the browser: it registers over CoAP/WebSockets (
        <code>{`${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/.well-known/coap`}</code>
        ) and shows up in the clients table like any device. Closing or leaving the page de-registers it.
      </p>
      {noWebSockets && (
        <div className="error" data-testid="device-no-websockets">
          This server does not serve CoAP over WebSockets. Start it with <code>--coap-ws</code> (or{' '}
          <code>LWM2M_COAP_WS=1</code>) to register this tab.
        </div>
      )}
      <SettingsForm disabled={tab.active || noWebSockets} onRegister={tab.register} />
      {tab.device && tab.snapshot && (
        <>
          <DeviceStatusCard
            endpoint={tab.device.client.endpointName}
            snapshot={tab.snapshot}
            identity={identity}
            onDeregister={() => void tab.deregister()}
          />
          <DeviceControls device={tab.device} snapshot={tab.snapshot} />
          <h2>Operations by the server</h2>
          <OperationsTable operations={tab.operations} />
        </>
      )}
    </section>
  );
}
