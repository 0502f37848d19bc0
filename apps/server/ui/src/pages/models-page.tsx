/** Object models browser, with DDF upload. */
import { useState } from 'react';
import { call } from '../api';
import { StatusMessage, useStatus } from '../components/status-message';
import { useApi } from '../hooks';
import type { ObjectModel } from '../types';

export function ModelsPage() {
  const [search, setSearch] = useState('');
  const list = useApi<ObjectModel[]>(`/api/models${search ? `?search=${encodeURIComponent(search)}` : ''}`);
  const [selected, setSelected] = useState<{ id: number; version: string }>();
  const detail = useApi<ObjectModel>(selected ? `/api/models/${selected.id}?version=${selected.version}` : undefined);
  const { status, attempt } = useStatus();

  const upload = (file: File) =>
    attempt(async () => {
      const added = await call<ObjectModel[]>('POST', '/api/models', await file.text(), 'application/xml');
      list.reload();
      return `Added ${added.map((m) => `${m.id} ${m.name} v${m.version}`).join(', ')}`;
    });

  return (
    <section>
      <div className="page-head">
        <h1>Object models</h1>
        <input
          className="search"
          placeholder="Search name or id…"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <label className="button-like">
          Upload DDF XML
          <input
            type="file"
            accept=".xml,application/xml,text/xml"
            hidden
            onChange={(e) => e.target.files?.[0] && upload(e.target.files[0])}
          />
        </label>
      </div>
      <StatusMessage status={status} />
      <div className="split">
        <div className="card scroll tall">
          <table className="table compact" data-testid="models-table">
            <thead>
              <tr>
                <th>Id</th>
                <th>Name</th>
                <th>Version</th>
                <th>Instances</th>
              </tr>
            </thead>
            <tbody>
              {list.data?.map((m) => (
                <tr
                  key={`${m.id}@${m.version}`}
                  className={`clickable ${selected?.id === m.id && selected.version === m.version ? 'selected' : ''}`}
                  onClick={() => setSelected({ id: m.id, version: m.version })}
                >
                  <td>{m.id}</td>
                  <td>{m.name}</td>
                  <td>{m.version}</td>
                  <td>{m.multiple ? 'multiple' : 'single'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div className="card pad">
          {detail.data ? (
            <>
              <h2>
                {detail.data.name} <code>/{detail.data.id}</code>{' '}
                <small>
                  v{detail.data.version} · LwM2M {detail.data.lwm2mVersion}
                </small>
              </h2>
              <p className="muted">{detail.data.urn}</p>
              <p>{detail.data.description}</p>
              <table className="table compact">
                <thead>
                  <tr>
                    <th>Id</th>
                    <th>Name</th>
                    <th>Ops</th>
                    <th>Type</th>
                    <th>Units</th>
                    <th>Range</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {detail.data.resources?.map((r) => (
                    <tr key={r.id} title={r.description}>
                      <td>{r.id}</td>
                      <td>{r.name}</td>
                      <td>{r.operations}</td>
                      <td>
                        {r.type}
                        {r.multiple ? ' [ ]' : ''}
                      </td>
                      <td>{r.units ?? ''}</td>
                      <td>{r.range ?? ''}</td>
                      <td>{r.mandatory ? 'mandatory' : ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          ) : (
            <p className="muted">Select a model to see its resources.</p>
          )}
        </div>
      </div>
    </section>
  );
}
