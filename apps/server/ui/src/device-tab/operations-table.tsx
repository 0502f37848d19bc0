/** What the server did to this tab's device, newest first. */
import type { OperationEntry } from './operation-log';

const time = (at: number) => new Date(at).toLocaleTimeString();

export function OperationsTable({ operations }: { operations: readonly OperationEntry[] }) {
  return (
    <div className="card scroll">
      <table className="table compact" data-testid="device-operations">
        <thead>
          <tr>
            <th>Time</th>
            <th>Operation</th>
            <th>Path</th>
            <th>Answer</th>
            <th>Notifications</th>
          </tr>
        </thead>
        <tbody>
          {[...operations].reverse().map((op) => (
            <tr key={op.id} data-kind={op.kind} data-path={op.path}>
              <td>{time(op.at)}</td>
              <td>
                <span className={`op-kind ${op.kind}`}>{op.kind}</span>
              </td>
              <td className="mono">
                {op.path}
                {op.query ? `?${op.query}` : ''}
              </td>
              <td className="mono" data-testid="operation-code">
                {op.code ?? '…'}
              </td>
              <td data-testid="operation-notifications">
                {op.kind === 'observe' || op.kind === 'observe-composite' ? op.notifications : ''}
              </td>
            </tr>
          ))}
          {operations.length === 0 && (
            <tr>
              <td colSpan={5} className="empty">
                Nothing yet: read, write, execute or observe this device from the server (its client page or the REST
                API).
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
