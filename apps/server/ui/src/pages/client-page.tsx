/** One client: registration facts, object tree with operations, live values, chart, composite, queue, log. */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { type ApiError, call, clientUrl } from '../api';
import type { Navigate } from '../app';
import { CompositePanel } from '../components/composite-panel';
import { MessageLog } from '../components/message-log';
import { ObjectTree, type TreeOps } from '../components/object-tree';
import { QueuePanel } from '../components/queue-panel';
import { type Series, TimeChart } from '../components/time-chart';
import { ago, flattenNode, useApi, useEvents } from '../hooks';
import type { CoapLogEntry, NodeJson, ObjectModel, Registration, Scalar } from '../types';
import { StatusBadges } from './clients-page';

type Tab = 'objects' | 'composite' | 'queue' | 'log';
interface Status {
  ok: boolean;
  text: string;
  at: number;
}
const MAX_POINTS = 120;

export function ClientPage({ endpoint, navigate }: { endpoint: string; navigate: Navigate }) {
  const reg = useApi<Registration>(clientUrl(endpoint));
  const [models, setModels] = useState<Map<number, ObjectModel>>(new Map());
  const [values, setValues] = useState<Map<string, Scalar>>(new Map());
  const [series, setSeries] = useState<Map<string, { t: number; v: number }[]>>(new Map());
  const [observations, setObservations] = useState<Map<string, string[]>>(new Map());
  const [log, setLog] = useState<CoapLogEntry[]>([]);
  const [status, setStatus] = useState<Status>();
  const [discovered, setDiscovered] = useState<{
    path: string;
    links: { path: string; attributes: Record<string, string | null> }[];
  }>();
  const [compositeResult, setCompositeResult] = useState<unknown>();
  const [tab, setTab] = useState<Tab>('objects');
  const [queueGeneration, setQueueGeneration] = useState(0);
  const [gone, setGone] = useState(false);

  const registration = reg.data;
  // biome-ignore lint/correctness/useExhaustiveDependencies: models follow the registration, not each update of it
  useEffect(() => {
    if (!registration) return;
    let live = true;
    Promise.all(
      registration.objects.map((o) =>
        call<ObjectModel>('GET', `/api/models/${o.id}?version=${o.version}`).catch(() =>
          call<ObjectModel>('GET', `/api/models/${o.id}`).catch(() => undefined),
        ),
      ),
    ).then((list) => live && setModels(new Map(list.filter((m): m is ObjectModel => !!m).map((m) => [m.id, m]))));
    return () => {
      live = false;
    };
  }, [registration?.registrationId]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: reloaded when the client re-registers
  useEffect(() => {
    call<{ id: string; paths: string[] }[]>('GET', clientUrl(endpoint, '/observations')).then(
      (list) => setObservations(new Map(list.map((o) => [o.id, o.paths]))),
      () => undefined,
    );
    call<CoapLogEntry[]>('GET', clientUrl(endpoint, '/log')).then(setLog, () => undefined);
  }, [endpoint, registration?.registrationId]);

  const resourceName = useCallback(
    (path: string) => {
      const [, o, , r] = path.split('/');
      return models.get(Number(o))?.resources?.find((x) => x.id === Number(r))?.name ?? path;
    },
    [models],
  );

  const merge = useCallback((path: string, node: NodeJson, at: number, chart: boolean) => {
    const leaves = flattenNode(path, node);
    setValues((previous) => {
      const next = new Map(previous);
      for (const [p, v] of leaves) next.set(p, v);
      return next;
    });
    if (!chart) return;
    setSeries((previous) => {
      const next = new Map(previous);
      for (const [p, v] of leaves) {
        if (typeof v !== 'number') continue;
        const points = [...(next.get(p) ?? []), { t: at, v }].slice(-MAX_POINTS);
        next.set(p, points);
      }
      return next;
    });
  }, []);

  const live = useEvents({ endpoint }, (event) => {
    switch (event.type) {
      case 'notification':
        if (event.content && event.paths[0]) merge(event.paths[0], event.content, event.at, true);
        for (const [p, node] of Object.entries(event.compositeContent ?? {})) merge(p, node, event.at, true);
        break;
      case 'send':
        for (const [p, node] of Object.entries(event.content)) merge(p, node, event.at, true);
        break;
      case 'coap':
        setLog((previous) => [...previous, event.entry].slice(-500));
        break;
      case 'registered':
      case 'updated':
        setGone(false);
        reg.setData(() => event.registration);
        break;
      case 'deregistered':
        setGone(true);
        break;
      case 'sleeping':
      case 'awake':
        reg.setData((r) => (r ? { ...r, sleeping: event.type === 'sleeping' } : r));
        if (event.type === 'awake') setQueueGeneration((g) => g + 1);
        break;
      case 'observation-cancelled':
        setObservations((previous) => {
          const next = new Map(previous);
          next.delete(event.observationId);
          return next;
        });
        break;
      case 'queue':
        setQueueGeneration((g) => g + 1);
        setStatus({
          ok: event.outcome === 'delivered',
          text: `Queued request ${event.outcome}: ${event.detail}`,
          at: Date.now(),
        });
        break;
    }
  });

  const run = useCallback(async (label: string, action: () => Promise<string | undefined>) => {
    setStatus({ ok: true, text: `${label}…`, at: Date.now() });
    try {
      const detail = await action();
      setStatus({ ok: true, text: `${label}: ${detail ?? 'done'}`, at: Date.now() });
    } catch (error) {
      const e = error as ApiError;
      if (e.status === 409 && e.body?.error === 'client-sleeping') setQueueGeneration((g) => g + 1);
      setStatus({
        ok: false,
        text: `${label} failed${e.status ? ` (HTTP ${e.status}${e.body?.coapCode ? `, CoAP ${e.body.coapCode}` : ''})` : ''}: ${e.message}`,
        at: Date.now(),
      });
    }
  }, []);

  const observed = useMemo(
    () => new Set([...observations.values()].filter((p) => p.length === 1).map((p) => p[0]!)),
    [observations],
  );

  const ops: TreeOps = {
    read: (path) =>
      run(`Read ${path}`, async () => {
        const r = await call<{ code: string; content: NodeJson }>('GET', clientUrl(endpoint, path));
        merge(path, r.content, Date.now(), false);
        return r.code;
      }),
    write: (path, body) =>
      run(`Write ${path}`, async () => {
        const r = await call<{ code: string }>('PUT', clientUrl(endpoint, path), body);
        const read = await call<{ content: NodeJson }>('GET', clientUrl(endpoint, path)).catch(() => undefined);
        if (read) merge(path, read.content, Date.now(), false);
        return r.code;
      }),
    execute: (path, args) =>
      run(`Execute ${path}`, async () => (await call<{ code: string }>('POST', clientUrl(endpoint, path), args)).code),
    create: (path, body) =>
      run(`Create on ${path}`, async () => {
        const r = await call<{ code: string; location?: string }>('POST', clientUrl(endpoint, path), body);
        return `${r.code}${r.location ? ` at ${r.location}` : ''}`;
      }),
    remove: (path) =>
      run(`Delete ${path}`, async () => (await call<{ code: string }>('DELETE', clientUrl(endpoint, path))).code),
    observe: (path) =>
      run(`Observe ${path}`, async () => {
        const r = await call<{ code: string; observationId: string; content?: NodeJson }>(
          'POST',
          clientUrl(endpoint, `${path}/observe`),
        );
        setObservations((previous) => new Map(previous).set(r.observationId, [path]));
        if (r.content) merge(path, r.content, Date.now(), true);
        return r.code;
      }),
    cancelObserve: (path) =>
      run(`Cancel observation of ${path}`, async () => {
        await call('DELETE', clientUrl(endpoint, `${path}/observe`));
        setObservations((previous) => new Map([...previous].filter(([, p]) => !(p.length === 1 && p[0] === path))));
        return 'cancelled';
      }),
    discover: (path) =>
      run(`Discover ${path}`, async () => {
        const r = await call<{ code: string; links: { path: string; attributes: Record<string, string | null> }[] }>(
          'GET',
          clientUrl(endpoint, `${path}/discover`),
        );
        setDiscovered({ path, links: r.links });
        return `${r.links.length} link(s)`;
      }),
    attributes: (path, query) =>
      run(
        `Write-Attributes ${path}`,
        async () => (await call<{ code: string }>('PUT', `${clientUrl(endpoint, `${path}/attributes`)}?${query}`)).code,
      ),
  };

  const chartSeries: Series[] = [...series].map(([path, points]) => ({ path, label: resourceName(path), points }));

  if (reg.error && !registration) {
    return (
      <section>
        <p className="error">{reg.error}</p>
        <button type="button" onClick={() => navigate('/')}>
          Back to clients
        </button>
      </section>
    );
  }
  if (!registration) return <p className="muted">Loading…</p>;

  return (
    <section>
      <div className="page-head">
        <a
          href="/"
          className="back"
          onClick={(e) => {
            e.preventDefault();
            navigate('/');
          }}
        >
          ← Clients
        </a>
        <h1 data-testid="client-endpoint">{registration.endpoint}</h1>
        <StatusBadges r={registration} />
        <span className={`live ${live ? 'on' : ''}`}>{live ? 'live' : 'connecting…'}</span>
        <button
          type="button"
          className="danger right"
          onClick={() =>
            window.confirm(`De-register ${endpoint}?`) &&
            run('De-register', async () => {
              await call('DELETE', clientUrl(endpoint));
              return 'removed';
            })
          }
        >
          Force de-register
        </button>
      </div>
      {gone && <div className="error">This client de-registered. Its last known state is shown.</div>}
      <div className="facts card">
        <div>
          <span className="fact-label">LwM2M</span>
          {registration.lwm2mVersion}
        </div>
        <div>
          <span className="fact-label">Binding</span>
          <code>{registration.binding}</code>
          {registration.queueMode ? ' · queue mode' : ''}
        </div>
        <div>
          <span className="fact-label">Transport</span>
          {registration.transport ?? ''}
        </div>
        <div>
          <span className="fact-label">Lifetime</span>
          {registration.lifetime} s
        </div>
        <div>
          <span className="fact-label">Address</span>
          <span className="mono">
            {registration.address}:{registration.port}
          </span>
        </div>
        <div>
          <span className="fact-label">Registered</span>
          {new Date(registration.registeredAt).toLocaleString()}
        </div>
        <div>
          <span className="fact-label">Last update</span>
          {ago(registration.lastUpdate)}
        </div>
        <div>
          <span className="fact-label">Registration id</span>
          <span className="mono">{registration.registrationId}</span>
        </div>
      </div>
      {status && (
        <div className={`status ${status.ok ? 'ok' : 'bad'}`} data-testid="op-status">
          {status.text}
        </div>
      )}
      <div className="tabs">
        {(['objects', 'composite', 'queue', 'log'] as const).map((t) => (
          <button
            key={t}
            type="button"
            className={tab === t ? 'active' : ''}
            onClick={() => setTab(t)}
            data-testid={`tab-${t}`}
          >
            {{ objects: 'Objects', composite: 'Composite', queue: 'Queue', log: 'CoAP log' }[t]}
          </button>
        ))}
      </div>
      {tab === 'objects' && (
        <div className="client-grid">
          <ObjectTree objects={registration.objects} models={models} values={values} observed={observed} ops={ops} />
          <aside>
            <div className="card pad">
              <h3>Observed values</h3>
              <TimeChart series={chartSeries} />
            </div>
            {observations.size > 0 && (
              <div className="card pad" data-testid="observations">
                <h3>Active observations</h3>
                <ul className="links">
                  {[...observations].map(([id, paths]) => (
                    <li key={id}>
                      {paths.length > 1 ? 'composite ' : ''}
                      <code>{paths.join(', ')}</code>{' '}
                      <button
                        type="button"
                        className="op"
                        onClick={() =>
                          run(`Cancel observation of ${paths.join(', ')}`, async () => {
                            await call('DELETE', clientUrl(endpoint, `/observations/${encodeURIComponent(id)}`));
                            setObservations((previous) => {
                              const next = new Map(previous);
                              next.delete(id);
                              return next;
                            });
                            return 'cancelled';
                          })
                        }
                      >
                        Stop
                      </button>
                    </li>
                  ))}
                </ul>
              </div>
            )}
            {discovered && (
              <div className="card pad" data-testid="discover-result">
                <h3>Discover {discovered.path}</h3>
                <ul className="links">
                  {discovered.links.map((l) => (
                    <li key={l.path}>
                      <code>{l.path}</code>{' '}
                      {Object.entries(l.attributes).map(([k, v]) => (
                        <span key={k} className="attr-chip">
                          {v === null ? k : `${k}=${v}`}
                        </span>
                      ))}
                    </li>
                  ))}
                </ul>
              </div>
            )}
          </aside>
        </div>
      )}
      {tab === 'composite' && (
        <CompositePanel
          result={compositeResult}
          onRead={(paths) =>
            run('Read-Composite', async () => {
              const r = await call<{ code: string; content: Record<string, NodeJson> }>(
                'POST',
                clientUrl(endpoint, '/composite/read'),
                { paths },
              );
              setCompositeResult(r.content);
              for (const [p, n] of Object.entries(r.content)) merge(p, n, Date.now(), false);
              return r.code;
            })
          }
          onObserve={(paths) =>
            run('Observe-Composite', async () => {
              const r = await call<{ code: string; observationId: string; content: Record<string, NodeJson> }>(
                'POST',
                clientUrl(endpoint, '/composite/observe'),
                { paths },
              );
              setObservations((prev) => new Map(prev).set(r.observationId, paths));
              setCompositeResult(r.content);
              return r.code;
            })
          }
          onWrite={(nodes) =>
            run(
              'Write-Composite',
              async () =>
                (await call<{ code: string }>('POST', clientUrl(endpoint, '/composite/write'), { nodes })).code,
            )
          }
        />
      )}
      {tab === 'queue' && <QueuePanel endpoint={endpoint} generation={queueGeneration} />}
      {tab === 'log' && <MessageLog entries={log} />}
    </section>
  );
}
