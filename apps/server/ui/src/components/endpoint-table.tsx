/** A table of per-endpoint records (credentials, bootstrap configurations), each with a Remove button. */
import type { ReactNode } from 'react';
import { call, enc } from '../api';

export interface EndpointTableProps<T extends { endpoint: string }> {
  readonly testId: string;
  /** Column titles; the Remove column is added after them. */
  readonly headers: readonly string[];
  readonly rows: readonly T[] | undefined;
  /** The `<td>` cells of one row, before its Remove button. */
  readonly cells: (row: T) => ReactNode;
  /** Remove sends DELETE to `${base}/<endpoint>`, then `onChange()` (also when it failed). */
  readonly base: string;
  readonly onChange: () => void;
  readonly removeTestId?: (row: T) => string;
  /** What the table says when it has no row. */
  readonly empty: ReactNode;
}

export function EndpointTable<T extends { endpoint: string }>(props: EndpointTableProps<T>) {
  const { rows, onChange } = props;
  return (
    <div className="card">
      <table className="table" data-testid={props.testId}>
        <thead>
          <tr>
            {props.headers.map((h) => (
              <th key={h}>{h}</th>
            ))}
            <th />
          </tr>
        </thead>
        <tbody>
          {rows?.map((row) => (
            <tr key={row.endpoint}>
              {props.cells(row)}
              <td>
                <button
                  type="button"
                  data-testid={props.removeTestId?.(row)}
                  onClick={() => call('DELETE', `${props.base}/${enc(row.endpoint)}`).then(onChange, onChange)}
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
          {rows?.length === 0 && (
            <tr>
              <td colSpan={props.headers.length + 1} className="empty">
                {props.empty}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
