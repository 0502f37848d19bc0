/**
 * LwM2M response codes as the spec writes them ("2.05", "4.04"). Values, not exceptions: every
 * typed response carries one, and `isSuccess()` is class 2. The CoAP adapter maps them to code bytes.
 */
export const ResponseCode = {
  CREATED: '2.01',
  DELETED: '2.02',
  VALID: '2.03',
  CHANGED: '2.04',
  CONTENT: '2.05',
  CONTINUE: '2.31',
  BAD_REQUEST: '4.00',
  UNAUTHORIZED: '4.01',
  BAD_OPTION: '4.02',
  FORBIDDEN: '4.03',
  NOT_FOUND: '4.04',
  METHOD_NOT_ALLOWED: '4.05',
  NOT_ACCEPTABLE: '4.06',
  REQUEST_ENTITY_INCOMPLETE: '4.08',
  CONFLICT: '4.09',
  PRECONDITION_FAILED: '4.12',
  REQUEST_ENTITY_TOO_LARGE: '4.13',
  UNSUPPORTED_CONTENT_FORMAT: '4.15',
  UNPROCESSABLE_ENTITY: '4.22',
  INTERNAL_SERVER_ERROR: '5.00',
  NOT_IMPLEMENTED: '5.01',
  SERVICE_UNAVAILABLE: '5.03',
  GATEWAY_TIMEOUT: '5.04',
} as const;

/** A code in "c.dd" form; any well-formed code is accepted (unknown ones from devices included). */
export type ResponseCode = `${2 | 3 | 4 | 5}.${string}`;

const CODE_RE = /^[2-5]\.\d\d$/;

export const isResponseCodeString = (value: string): value is ResponseCode => CODE_RE.test(value);
export const isSuccessResponseCode = (code: ResponseCode): boolean => code.startsWith('2.');

/** Code byte (class << 5 | detail) to "c.dd". */
export function responseCodeFromByte(byte: number): ResponseCode {
  return `${(byte >> 5) as 2}.${(byte & 0x1f).toString().padStart(2, '0')}`;
}

/** "c.dd" to a code byte. */
export function responseCodeToByte(code: ResponseCode): number {
  const [cls, detail] = code.split('.');
  return (Number(cls) << 5) | Number(detail);
}

const names = new Map<string, string>(Object.entries(ResponseCode).map(([name, code]) => [code, name]));
/** "NOT_FOUND" for "4.04"; the code itself when it has no name. */
export const responseCodeName = (code: ResponseCode): string => names.get(code) ?? code;
