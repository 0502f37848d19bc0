import { CoapError } from '@lwm2m-ts/coap';
import { describe, expect, it } from 'vitest';
import { parseExecuteArguments } from './execute-arguments';

describe('parseExecuteArguments', () => {
  it.each([
    ['', []],
    ['5', [{ digit: 5, value: undefined }]],
    [
      "0='a',1",
      [
        { digit: 0, value: 'a' },
        { digit: 1, value: undefined },
      ],
    ],
    [
      "2='coap://host:5683/x, y',3=''",
      [
        { digit: 2, value: 'coap://host:5683/x, y' },
        { digit: 3, value: '' },
      ],
    ],
  ])('%j', (text, expected) => {
    expect(parseExecuteArguments(text)).toEqual(expected);
  });

  it.each(["0='a", '10', 'a', '0=a', '0,', ',0', "0='a'1", '0,0', "0='\u00e9'", ' 0'])(
    'refuses %j with 4.00',
    (text) => {
      let error: unknown;
      try {
        parseExecuteArguments(text);
      } catch (e) {
        error = e;
      }
      expect(CoapError.isInstance(error)).toBe(true);
      expect((error as CoapError).code).toBe(0x80);
    },
  );
});
