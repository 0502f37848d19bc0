/** Typed inputs for resource values (write, create) and the forms for execute and attributes. */
import { useState } from 'react';
import type { ResourceModel, Scalar } from '../types';

export function parseTyped(type: string, text: string): Scalar {
  switch (type) {
    case 'integer':
    case 'unsigned':
    case 'time':
      return /^-?\d+$/.test(text.trim()) && Number.isSafeInteger(Number(text)) ? Number(text) : text.trim();
    case 'float':
      return text.trim() === '' ? text : Number(text);
    case 'boolean':
      return text === 'true';
    default:
      return text;
  }
}

export function ValueInput({
  type,
  value,
  onChange,
  testId,
}: {
  type: string;
  value: string;
  onChange: (v: string) => void;
  testId?: string;
}) {
  if (type === 'boolean') {
    return (
      <select value={value || 'false'} onChange={(e) => onChange(e.target.value)} data-testid={testId}>
        <option value="true">true</option>
        <option value="false">false</option>
      </select>
    );
  }
  const numeric = type === 'integer' || type === 'unsigned' || type === 'float' || type === 'time';
  const placeholder =
    type === 'opaque'
      ? 'hex bytes'
      : type === 'objlnk'
        ? 'objectId:instanceId'
        : type === 'time'
          ? 'seconds since epoch'
          : type;
  return (
    <input
      value={value}
      onChange={(e) => onChange(e.target.value)}
      inputMode={numeric ? 'decimal' : 'text'}
      placeholder={placeholder}
      data-testid={testId}
    />
  );
}

/** Inline write form for one resource (JSON map of instances for a multiple resource). */
export function WriteForm({
  model,
  initial,
  onSubmit,
  onCancel,
}: {
  model: ResourceModel;
  initial: Scalar | undefined;
  onSubmit: (body: unknown) => void;
  onCancel: () => void;
}) {
  const [text, setText] = useState(model.multiple ? '{"0": ""}' : initial === undefined ? '' : String(initial));
  const [problem, setProblem] = useState<string>();
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (model.multiple) {
          try {
            const values = JSON.parse(text) as Record<string, string>;
            const typed = Object.fromEntries(
              Object.entries(values).map(([k, v]) => [k, parseTyped(model.type, String(v))]),
            );
            onSubmit({ kind: 'resource', id: model.id, multiple: true, values: typed });
          } catch {
            setProblem('enter a JSON object: {"0": value, "1": value}');
          }
          return;
        }
        onSubmit({ kind: 'resource', id: model.id, value: parseTyped(model.type, text) });
      }}
    >
      {model.multiple ? (
        <input value={text} onChange={(e) => setText(e.target.value)} data-testid="write-input" />
      ) : (
        <ValueInput type={model.type} value={text} onChange={setText} testId="write-input" />
      )}
      <button type="submit" className="primary" data-testid="write-submit">
        Write
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
      {problem && <span className="error-text">{problem}</span>}
    </form>
  );
}

export function ExecuteForm({ onSubmit, onCancel }: { onSubmit: (args: string) => void; onCancel: () => void }) {
  const [args, setArgs] = useState('');
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit(args);
      }}
    >
      <input
        value={args}
        onChange={(e) => setArgs(e.target.value)}
        placeholder="arguments, e.g. 0='on',1"
        data-testid="execute-args"
      />
      <button type="submit" className="primary" data-testid="execute-submit">
        Execute
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}

const ATTRS = ['pmin', 'pmax', 'gt', 'lt', 'st', 'epmin', 'epmax'] as const;

export function AttributesForm({ onSubmit, onCancel }: { onSubmit: (query: string) => void; onCancel: () => void }) {
  const [values, setValues] = useState<Record<string, string>>({});
  return (
    <form
      className="inline-form wrap"
      onSubmit={(e) => {
        e.preventDefault();
        const q = new URLSearchParams();
        for (const [k, v] of Object.entries(values)) if (v !== '') q.set(k, v === '-' ? '' : v);
        onSubmit(q.toString());
      }}
    >
      {ATTRS.map((a) => (
        <label key={a} className="attr">
          {a}
          <input
            value={values[a] ?? ''}
            onChange={(e) => setValues({ ...values, [a]: e.target.value })}
            size={5}
            title="number; '-' removes the attribute"
          />
        </label>
      ))}
      <button type="submit" className="primary">
        Write attributes
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}

/** Create form: one input per writable resource of the object; empty ones are left out. */
export function CreateForm({
  resources,
  onSubmit,
  onCancel,
}: {
  resources: readonly ResourceModel[];
  onSubmit: (body: unknown) => void;
  onCancel: () => void;
}) {
  const writable = resources.filter((r) => r.operations.includes('W') && !r.multiple);
  const [id, setId] = useState('');
  const [values, setValues] = useState<Record<number, string>>({});
  return (
    <form
      className="create-form"
      onSubmit={(e) => {
        e.preventDefault();
        const list = writable
          .filter((r) => (values[r.id] ?? '') !== '')
          .map((r) => ({ id: r.id, value: parseTyped(r.type, values[r.id]!) }));
        onSubmit({ ...(id !== '' ? { id: Number(id) } : {}), resources: list });
      }}
    >
      <label>
        Instance id
        <input value={id} onChange={(e) => setId(e.target.value)} placeholder="device chooses" size={8} />
      </label>
      {writable.map((r) => (
        <div key={r.id} className="field">
          {r.name}{' '}
          <small>
            ({r.id}, {r.type}
            {r.units ? `, ${r.units}` : ''}
            {r.mandatory ? ', mandatory' : ''})
          </small>
          <ValueInput type={r.type} value={values[r.id] ?? ''} onChange={(v) => setValues({ ...values, [r.id]: v })} />
        </div>
      ))}
      <div>
        <button type="submit" className="primary">
          Create instance
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
