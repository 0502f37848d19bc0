/** Composite operations: read, observe and write several paths in one request. */
import { useState } from 'react';

export function CompositePanel({
  onRead,
  onObserve,
  onWrite,
  result,
}: {
  onRead: (paths: string[]) => void;
  onObserve: (paths: string[]) => void;
  onWrite: (nodes: Record<string, unknown>) => void;
  result: unknown;
}) {
  const [paths, setPaths] = useState('/3/0/0\n/3/0/9');
  const [write, setWrite] = useState('{\n  "/3/0/14": { "value": "+01:00" }\n}');
  const [problem, setProblem] = useState<string>();
  const list = () => paths.split(/[\s,]+/).filter(Boolean);
  return (
    <div className="composite">
      <div className="card pad">
        <h3>Read / Observe composite</h3>
        <p className="muted">One path per line (objects, instances, resources).</p>
        <textarea rows={5} value={paths} onChange={(e) => setPaths(e.target.value)} data-testid="composite-paths" />
        <div className="row">
          <button type="button" className="primary" onClick={() => onRead(list())} data-testid="composite-read">
            Read-Composite
          </button>
          <button type="button" onClick={() => onObserve(list())}>
            Observe-Composite
          </button>
        </div>
      </div>
      <div className="card pad">
        <h3>Write composite</h3>
        <p className="muted">Path → node (types come from the models).</p>
        <textarea rows={5} value={write} onChange={(e) => setWrite(e.target.value)} />
        <div className="row">
          <button
            type="button"
            className="primary"
            onClick={() => {
              try {
                onWrite(JSON.parse(write) as Record<string, unknown>);
                setProblem(undefined);
              } catch {
                setProblem('not valid JSON');
              }
            }}
          >
            Write-Composite
          </button>
          {problem && <span className="error-text">{problem}</span>}
        </div>
      </div>
      {result !== undefined && (
        <div className="card pad result">
          <h3>Result</h3>
          <pre data-testid="composite-result">{JSON.stringify(result, null, 2)}</pre>
        </div>
      )}
    </div>
  );
}
