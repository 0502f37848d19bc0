/**
 * Execute arguments (OMA LwM2M TS Core 1.1 §5.4.5):
 *   arglist = arg *( "," arg ); arg = DIGIT [ "=" "'" *CHAR "'" ]
 * where CHAR is any printable ASCII except the single quote.
 */
import { CoapError } from '@lwm2m-ts/coap';

export interface ExecuteArgument {
  /** 0..9 */
  readonly digit: number;
  /** Text between the quotes, undefined when the argument has no value. */
  readonly value: string | undefined;
}

/** Parses an Execute payload; throws `CoapError` 4.00 naming what is wrong. */
export function parseExecuteArguments(text: string): ExecuteArgument[] {
  if (text.length === 0) return [];
  const args: ExecuteArgument[] = [];
  let i = 0;
  const fail = (what: string): never => {
    throw CoapError.badRequest(`malformed execute arguments at offset ${i}: ${what}`);
  };
  for (;;) {
    const c = text.charCodeAt(i);
    if (!(c >= 0x30 && c <= 0x39)) fail('expected a digit');
    const digit = c - 0x30;
    i++;
    let value: string | undefined;
    if (text[i] === '=') {
      i++;
      if (text[i] !== "'") fail("expected ' after =");
      const close = text.indexOf("'", i + 1);
      if (close < 0) fail("unterminated '");
      value = text.slice(i + 1, close);
      for (let k = 0; k < value.length; k++) {
        const v = value.charCodeAt(k);
        if (v < 0x20 || v > 0x7e) {
          i += 1 + k;
          fail('argument values are printable ASCII');
        }
      }
      i = close + 1;
    }
    if (args.some((a) => a.digit === digit)) fail(`argument ${digit} given twice`);
    args.push({ digit, value });
    if (i === text.length) return args;
    if (text[i] !== ',') fail("expected ','");
    i++;
  }
}
