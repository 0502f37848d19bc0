import { inRange } from '../model/range';
import type { RangeSpec, ResourceModel } from '../model/types';
import type { LwM2mValue } from '../node/value';

/** A value that does not fit its resource model: a wrong type or a value outside the range. */
export interface ValueProblem {
  readonly code: 'type' | 'range';
  readonly message: string;
}

const utf8 = new TextEncoder();

/**
 * Checks one value against its resource model: the type must be the resource's, and a parsed
 * `<RangeEnumeration>` must hold it (numeric bounds for numbers and time, byte length for
 * String and Opaque, membership for enumerations). Free-text ranges are not checked.
 */
export function validateValue(model: ResourceModel, value: LwM2mValue): ValueProblem | undefined {
  if (model.type === 'none') {
    return { code: 'type', message: `is executable and holds no value, got ${value.type}` };
  }
  if (value.type !== model.type) return { code: 'type', message: `expected ${model.type}, got ${value.type}` };
  const range = model.range;
  if (range === undefined || range.kind === 'text') return undefined;

  switch (value.type) {
    case 'integer':
    case 'unsigned':
    case 'float':
    case 'time':
      return numberProblem(value.value, range);
    case 'string':
      return range.kind === 'range'
        ? lengthProblem(utf8.encode(value.value).length, range)
        : enumerationProblem(value.value, range.values);
    case 'opaque':
      return range.kind === 'range' ? lengthProblem(value.value.length, range) : undefined;
    default:
      // Boolean, Objlnk and Corelnk ranges in the registry are prose only.
      return undefined;
  }
}

function numberProblem(value: number | bigint, range: Exclude<RangeSpec, { kind: 'text' }>): ValueProblem | undefined {
  if (range.kind === 'range') {
    return inRange(value, range)
      ? undefined
      : { code: 'range', message: `${value} is outside ${range.min}..${range.max}` };
  }
  return enumerationProblem(value, range.values);
}

function lengthProblem(
  length: number,
  range: { min: number | bigint; max: number | bigint },
): ValueProblem | undefined {
  return inRange(length, range)
    ? undefined
    : { code: 'range', message: `length ${length} bytes is outside ${range.min}..${range.max}` };
}

function enumerationProblem(
  value: number | bigint | string,
  values: readonly (number | string)[],
): ValueProblem | undefined {
  // Loose on representation (an enumeration "0,1" on a String resource accepts "0").
  const text = String(value);
  if (values.some((allowed) => allowed === value || String(allowed) === text)) return undefined;
  return {
    code: 'range',
    message: `${typeof value === 'string' ? JSON.stringify(value) : text} is not one of ${values.join(', ')}`,
  };
}
