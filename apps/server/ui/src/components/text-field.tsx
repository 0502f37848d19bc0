/** A labelled one-line text input bound to a string state. */
import type { InputHTMLAttributes, ReactNode } from 'react';

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange'>;

export function TextField({
  label,
  value,
  onValue,
  testId,
  ...input
}: { label: ReactNode; value: string; onValue: (value: string) => void; testId?: string } & InputProps) {
  return (
    <label>
      {label} <input value={value} onChange={(e) => onValue(e.target.value)} data-testid={testId} {...input} />
    </label>
  );
}
