import { CoapError } from '@lwm2m-ts/coap';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseExecuteArguments } from './execute-arguments';

const argValue = fc.string({ unit: fc.constantFrom(...' !"#$%&()*+,-./0123456789:;<=>?@AZaz[]^_`{|}~'.split('')) });

describe('parseExecuteArguments (properties)', () => {
  it('any text: a list of arguments or a 4.00 CoapError, nothing else', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          const args = parseExecuteArguments(text);
          expect(Array.isArray(args)).toBe(true);
        } catch (e) {
          expect(CoapError.isInstance(e) && e.code === 0x80).toBe(true);
        }
      }),
    );
  });

  it('serialized argument lists parse back', () => {
    const list = fc.uniqueArray(
      fc.record({ digit: fc.integer({ min: 0, max: 9 }), value: fc.option(argValue, { nil: undefined }) }),
      {
        selector: (a) => a.digit,
        maxLength: 10,
      },
    );
    fc.assert(
      fc.property(list, (args) => {
        const text = args.map((a) => (a.value === undefined ? `${a.digit}` : `${a.digit}='${a.value}'`)).join(',');
        expect(parseExecuteArguments(text)).toEqual(args);
      }),
    );
  });
});
