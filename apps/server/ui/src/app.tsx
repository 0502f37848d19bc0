/** Layout (navigation bar), routing and the API-token prompt. */
import { lazy, type ReactElement, Suspense, useEffect, useState } from 'react';
import { getToken, onUnauthorized, setToken } from './api';
import { useLocationPath } from './hooks';
import { BootstrapPage } from './pages/bootstrap-page';
import { ClientPage } from './pages/client-page';
import { ClientsPage } from './pages/clients-page';
import { ClusterPage } from './pages/cluster-page';
import { ModelsPage } from './pages/models-page';
import { SecurityPage } from './pages/security-page';

export type Navigate = (to: string) => void;

// The in-browser LwM2M client (and its object models) load only when this page opens.
const DeviceTabPage = lazy(() => import('./pages/device-tab-page').then((m) => ({ default: m.DeviceTabPage })));

function TokenPrompt({ onSaved }: { onSaved: () => void }) {
  const [value, setValue] = useState(getToken());
  return (
    <div className="card token-prompt">
      <h2>API token needed</h2>
      <p>
        This server requires a bearer token (its <code>--api-token</code>).
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setToken(value.trim());
          onSaved();
        }}
      >
        <input type="password" value={value} onChange={(e) => setValue(e.target.value)} placeholder="token" />
        <button type="submit" className="primary">
          Save
        </button>
      </form>
    </div>
  );
}

export function App() {
  const [path, navigate] = useLocationPath();
  const [needToken, setNeedToken] = useState(false);
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const off = onUnauthorized(() => setNeedToken(true));
    return () => {
      off();
    };
  }, []);

  const link = (to: string, label: string, active: boolean) => (
    <a
      href={to}
      className={active ? 'active' : ''}
      onClick={(e) => {
        e.preventDefault();
        navigate(to);
      }}
    >
      {label}
    </a>
  );

  let page: ReactElement;
  const client = /^\/clients\/(.+)$/.exec(path);
  if (client) page = <ClientPage endpoint={decodeURIComponent(client[1]!)} navigate={navigate} />;
  else if (path.startsWith('/models')) page = <ModelsPage />;
  else if (path.startsWith('/security')) page = <SecurityPage />;
  else if (path.startsWith('/bootstrap')) page = <BootstrapPage />;
  else if (path.startsWith('/cluster')) page = <ClusterPage />;
  else if (path.startsWith('/device-tab'))
    page = (
      <Suspense fallback={<p className="muted">Loading…</p>}>
        <DeviceTabPage />
      </Suspense>
    );
  else page = <ClientsPage navigate={navigate} />;

  return (
    <div className="layout">
      <header className="topbar">
        <span className="brand">
          <span className="logo" />
          lwm2m-ts <small>server</small>
        </span>
        <nav>
          {link('/', 'Clients', path === '/' || path.startsWith('/clients'))}
          {link('/models', 'Object models', path.startsWith('/models'))}
          {link('/security', 'Security', path.startsWith('/security'))}
          {link('/bootstrap', 'Bootstrap', path.startsWith('/bootstrap'))}
          {link('/cluster', 'Cluster', path.startsWith('/cluster'))}
          {link('/device-tab', 'Device in this tab', path.startsWith('/device-tab'))}
          <a href="/api/docs" target="_blank" rel="noreferrer">
            API
          </a>
        </nav>
      </header>
      <main key={generation}>
        {needToken ? (
          <TokenPrompt
            onSaved={() => {
              setNeedToken(false);
              setGeneration((g) => g + 1);
            }}
          />
        ) : (
          page
        )}
      </main>
    </div>
  );
}
