/** The client's objects, instances and resources, labelled from the models, with every operation. */
import { useState } from 'react';
import type { ObjectModel, ResourceModel, Scalar } from '../types';
import { AttributesForm, CreateForm, ExecuteForm, WriteForm } from './value-editor';

export interface TreeOps {
  read(path: string): void;
  write(path: string, body: unknown): void;
  execute(path: string, args: string): void;
  create(objectPath: string, body: unknown): void;
  remove(path: string): void;
  observe(path: string): void;
  cancelObserve(path: string): void;
  discover(path: string): void;
  attributes(path: string, query: string): void;
}

type Form = { path: string; kind: 'write' | 'execute' | 'attributes' | 'create' } | undefined;

interface Props {
  objects: readonly { id: number; version: string; instances: number[] }[];
  models: ReadonlyMap<number, ObjectModel>;
  values: ReadonlyMap<string, Scalar>;
  observed: ReadonlySet<string>;
  ops: TreeOps;
}

function Button({
  label,
  title,
  onClick,
  op,
  disabled,
}: {
  label: string;
  title: string;
  onClick: () => void;
  op: string;
  disabled?: boolean;
}) {
  return (
    <button type="button" className={`op ${op}`} title={title} onClick={onClick} data-op={op} disabled={disabled}>
      {label}
    </button>
  );
}

function ObserveToggle({ path, observed, ops }: { path: string; observed: ReadonlySet<string>; ops: TreeOps }) {
  return observed.has(path) ? (
    <Button
      label="Stop"
      op="cancel-observe"
      title={`Cancel observation of ${path}`}
      onClick={() => ops.cancelObserve(path)}
    />
  ) : (
    <Button label="Observe" op="observe" title={`Observe ${path}`} onClick={() => ops.observe(path)} />
  );
}

function formatValue(value: Scalar | undefined, model: ResourceModel | undefined): string {
  if (value === undefined) return '';
  if (model?.type === 'time' && typeof value === 'number') return `${new Date(value * 1000).toISOString()} (${value})`;
  return String(value);
}

function ResourceRow({
  path,
  model,
  id,
  props,
  form,
  setForm,
}: {
  path: string;
  model: ResourceModel | undefined;
  id: number;
  props: Props;
  form: Form;
  setForm: (f: Form) => void;
}) {
  const { values, ops, observed } = props;
  const ops_ = model?.operations ?? 'RW';
  const instanceValues = model?.multiple ? [...values].filter(([p]) => p.startsWith(`${path}/`)) : [];
  const value = values.get(path);
  const open = form?.path === path ? form.kind : undefined;
  return (
    <>
      <tr className="resource" data-path={path}>
        <td className="rid">{id}</td>
        <td>
          <span className="rname">{model?.name ?? `Resource ${id}`}</span>
          {model?.mandatory && (
            <span className="mandatory" title="mandatory">
              *
            </span>
          )}
          <div className="rmeta">
            {model?.type ?? '?'}
            {model?.multiple ? ' [ ]' : ''}
            {model?.units ? ` · ${model.units}` : ''}
            {model?.range ? ` · ${model.range}` : ''} · {ops_ || '—'}
          </div>
        </td>
        <td className="value" data-testid={`value-${path}`}>
          {model?.multiple
            ? instanceValues.map(([p, v]) => (
                <div key={p}>
                  <small>[{p.split('/').pop()}]</small> {formatValue(v, model)}
                </div>
              ))
            : formatValue(value, model)}
          {observed.has(path) && <span className="badge observing">observed</span>}
        </td>
        <td className="actions">
          {ops_.includes('R') && (
            <Button label="Read" op="read" title={`Read ${path}`} onClick={() => ops.read(path)} />
          )}
          {ops_.includes('W') && (
            <Button
              label="Write"
              op="write"
              title={`Write ${path}`}
              onClick={() => setForm(open === 'write' ? undefined : { path, kind: 'write' })}
            />
          )}
          {ops_.includes('E') && (
            <Button
              label="Execute"
              op="execute"
              title={`Execute ${path}`}
              onClick={() => setForm(open === 'execute' ? undefined : { path, kind: 'execute' })}
            />
          )}
          {ops_.includes('R') && <ObserveToggle path={path} observed={observed} ops={ops} />}
          <Button
            label="Attr"
            op="attributes"
            title="Write-Attributes"
            onClick={() => setForm(open === 'attributes' ? undefined : { path, kind: 'attributes' })}
          />
          <Button label="Discover" op="discover" title={`Discover ${path}`} onClick={() => ops.discover(path)} />
        </td>
      </tr>
      {open && model && (
        <tr className="form-row">
          <td />
          <td colSpan={3}>
            {open === 'write' && (
              <WriteForm
                model={model}
                initial={value}
                onCancel={() => setForm(undefined)}
                onSubmit={(body) => {
                  setForm(undefined);
                  ops.write(path, body);
                }}
              />
            )}
            {open === 'execute' && (
              <ExecuteForm
                onCancel={() => setForm(undefined)}
                onSubmit={(args) => {
                  setForm(undefined);
                  ops.execute(path, args);
                }}
              />
            )}
            {open === 'attributes' && (
              <AttributesForm
                onCancel={() => setForm(undefined)}
                onSubmit={(q) => {
                  setForm(undefined);
                  ops.attributes(path, q);
                }}
              />
            )}
          </td>
        </tr>
      )}
    </>
  );
}

function InstanceBlock({
  objectId,
  instanceId,
  model,
  props,
  form,
  setForm,
}: {
  objectId: number;
  instanceId: number;
  model: ObjectModel | undefined;
  props: Props;
  form: Form;
  setForm: (f: Form) => void;
}) {
  const path = `/${objectId}/${instanceId}`;
  const { ops, observed, values } = props;
  // Resources: from the model, plus any the device reported that the model does not know.
  const known = new Map((model?.resources ?? []).map((r) => [r.id, r]));
  const seen = new Set<number>();
  for (const p of values.keys()) {
    if (!p.startsWith(`${path}/`)) continue;
    const rid = Number(p.split('/')[3]);
    if (!Number.isNaN(rid)) seen.add(rid);
  }
  const ids = [...new Set([...known.keys(), ...seen])].sort((a, b) => a - b);
  const open = form?.path === path ? form.kind : undefined;
  return (
    <div className="instance" data-path={path}>
      <div className="instance-head">
        <span className="iname">
          Instance {instanceId} <code>{path}</code>
        </span>
        <span className="actions">
          <Button label="Read" op="read" title={`Read ${path}`} onClick={() => ops.read(path)} />
          <ObserveToggle path={path} observed={observed} ops={ops} />
          <Button
            label="Attr"
            op="attributes"
            title="Write-Attributes"
            onClick={() => setForm(open === 'attributes' ? undefined : { path, kind: 'attributes' })}
          />
          <Button label="Discover" op="discover" title={`Discover ${path}`} onClick={() => ops.discover(path)} />
          <Button
            label="Delete"
            op="delete"
            title={`Delete ${path}`}
            onClick={() => window.confirm(`Delete ${path}?`) && ops.remove(path)}
          />
        </span>
      </div>
      {open === 'attributes' && (
        <AttributesForm
          onCancel={() => setForm(undefined)}
          onSubmit={(q) => {
            setForm(undefined);
            ops.attributes(path, q);
          }}
        />
      )}
      <table className="table resources">
        <tbody>
          {ids.map((rid) => (
            <ResourceRow
              key={rid}
              id={rid}
              path={`${path}/${rid}`}
              model={known.get(rid)}
              props={props}
              form={form}
              setForm={setForm}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ObjectTree(props: Props) {
  const [expanded, setExpanded] = useState<Set<number>>(
    () => new Set(props.objects.filter((o) => o.id >= 3).map((o) => o.id)),
  );
  const [form, setForm] = useState<Form>();
  const toggle = (id: number) => {
    const next = new Set(expanded);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setExpanded(next);
  };
  return (
    <div className="tree" data-testid="object-tree">
      {props.objects.map((o) => {
        const model = props.models.get(o.id);
        const path = `/${o.id}`;
        const open = expanded.has(o.id);
        return (
          <div className="card object" key={o.id} data-path={path}>
            <div className="object-head">
              <button type="button" className="twisty" onClick={() => toggle(o.id)} aria-expanded={open}>
                {open ? '▾' : '▸'}
              </button>
              <button type="button" className="oname" onClick={() => toggle(o.id)}>
                {model?.name ?? `Object ${o.id}`} <code>{path}</code> <small>v{o.version}</small>
              </button>
              <span className="actions">
                <Button label="Read" op="read" title={`Read ${path}`} onClick={() => ops(props).read(path)} />
                <ObserveToggle path={path} observed={props.observed} ops={props.ops} />
                <Button
                  label="Discover"
                  op="discover"
                  title={`Discover ${path}`}
                  onClick={() => props.ops.discover(path)}
                />
                <Button
                  label="Create"
                  op="create"
                  title={`Create an instance of ${path}`}
                  onClick={() => setForm(form?.path === path ? undefined : { path, kind: 'create' })}
                />
              </span>
            </div>
            {form?.path === path && form.kind === 'create' && (
              <CreateForm
                resources={model?.resources ?? []}
                onCancel={() => setForm(undefined)}
                onSubmit={(body) => {
                  setForm(undefined);
                  props.ops.create(path, body);
                }}
              />
            )}
            {open &&
              (o.instances.length > 0 ? (
                o.instances.map((i) => (
                  <InstanceBlock
                    key={i}
                    objectId={o.id}
                    instanceId={i}
                    model={model}
                    props={props}
                    form={form}
                    setForm={setForm}
                  />
                ))
              ) : (
                <p className="muted pad">No instance.</p>
              ))}
          </div>
        );
      })}
    </div>
  );
}

const ops = (props: Props) => props.ops;
