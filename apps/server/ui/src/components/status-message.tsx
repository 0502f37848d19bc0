/** The outcome line of a form (saved / what went wrong), and the state behind it. */
import { useCallback, useState } from 'react';

export interface Status {
  readonly ok: boolean;
  readonly text: string;
}

export function StatusMessage({ status }: { status: Status | undefined }) {
  return status ? <div className={`status ${status.ok ? 'ok' : 'bad'}`}>{status.text}</div> : null;
}

/**
 * `attempt(work)` runs `work` and shows the sentence it returns, or the message of the error it
 * throws (an API refusal says what was wrong).
 */
export function useStatus(): { status: Status | undefined; attempt: (work: () => Promise<string>) => Promise<void> } {
  const [status, setStatus] = useState<Status>();
  const attempt = useCallback(async (work: () => Promise<string>) => {
    try {
      setStatus({ ok: true, text: await work() });
    } catch (error) {
      setStatus({ ok: false, text: (error as Error).message });
    }
  }, []);
  return { status, attempt };
}
