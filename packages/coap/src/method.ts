import { CoapCode } from '@lwm2m-ts/codec';

/** Request methods by name (RFC 7252, RFC 8132). */
export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'FETCH' | 'PATCH' | 'IPATCH';

export const METHOD_CODES: Readonly<Record<Method, number>> = Object.freeze({
  GET: CoapCode.GET,
  POST: CoapCode.POST,
  PUT: CoapCode.PUT,
  DELETE: CoapCode.DELETE,
  FETCH: CoapCode.FETCH,
  PATCH: CoapCode.PATCH,
  IPATCH: CoapCode.IPATCH,
});

const NAMES: readonly (Method | undefined)[] = [undefined, 'GET', 'POST', 'PUT', 'DELETE', 'FETCH', 'PATCH', 'IPATCH'];

/** Method name of a request code, undefined for codes without a name. */
export const methodName = (code: number): Method | undefined => NAMES[code];

/** Accepts a method name (any case, "iPATCH" too) or a request code. */
export function methodCode(method: Method | Lowercase<Method> | 'iPATCH' | number): number {
  if (typeof method === 'number') return method;
  const code = METHOD_CODES[method.toUpperCase() as Method];
  if (code === undefined) throw new TypeError(`unknown CoAP method: ${method}`);
  return code;
}

/** Success code a handler's answer gets when it names none. */
export function defaultSuccessCode(requestCode: number): number {
  switch (requestCode) {
    case CoapCode.GET:
    case CoapCode.FETCH:
      return CoapCode.CONTENT;
    case CoapCode.POST:
      return CoapCode.CHANGED;
    case CoapCode.DELETE:
      return CoapCode.DELETED;
    default:
      return CoapCode.CHANGED;
  }
}
