/**
 * React state of the tab's device: creates a TabDevice on Register, exposes its snapshot and the
 * operation log, and de-registers when the page goes away (tab closed, reload, navigation) or the
 * page component unmounts.
 */
import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import { browserIdentity } from './browser-identity';
import type { DeviceSettings } from './device-settings';
import { type OperationEntry, OperationLog } from './operation-log';
import { coapWebSocketUrl } from './server-address';
import { TabDevice, type TabDeviceSnapshot } from './tab-device';

const noSubscription = () => () => {};

export interface TabDeviceControls {
  readonly device: TabDevice | undefined;
  readonly snapshot: TabDeviceSnapshot | undefined;
  readonly operations: readonly OperationEntry[];
  /** True while a device is registering or registered (the settings form is locked). */
  readonly active: boolean;
  register(settings: DeviceSettings): void;
  deregister(): Promise<void>;
}

export function useTabDevice(): TabDeviceControls {
  const [log] = useState(() => new OperationLog());
  const [device, setDevice] = useState<TabDevice>();
  const snapshot = useSyncExternalStore(
    useCallback((listener: () => void) => (device ? device.subscribe(listener) : noSubscription()), [device]),
    () => device?.snapshot(),
  );
  const operations = useSyncExternalStore(
    useCallback((listener: () => void) => log.subscribe(listener), [log]),
    () => log.entries(),
  );

  useEffect(() => {
    if (!device) return;
    // pagehide also fires for the back-forward cache and on mobile where unload never does.
    const onPageHide = () => void device.deregister();
    window.addEventListener('pagehide', onPageHide);
    return () => {
      window.removeEventListener('pagehide', onPageHide);
      void device.deregister();
    };
  }, [device]);

  const register = useCallback(
    (settings: DeviceSettings) => {
      const state = device?.snapshot().state;
      if (state === 'registering' || state === 'registered') return;
      log.clear();
      const next = new TabDevice({
        settings,
        url: coapWebSocketUrl(window.location),
        identity: browserIdentity(navigator.userAgent),
        log,
      });
      setDevice(next);
      void next.register();
    },
    [device, log],
  );

  const state = snapshot?.state;
  return {
    device,
    snapshot,
    operations,
    active: state === 'registering' || state === 'registered',
    register,
    deregister: () => device?.deregister() ?? Promise.resolve(),
  };
}
