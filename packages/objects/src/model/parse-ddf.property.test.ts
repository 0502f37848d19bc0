// parseDdf must answer any input with models or a DdfError: never another exception, never a hang.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DdfError } from './ddf-error';
import { parseDdf } from './parse-ddf';
import { REGISTRY_DIR } from './testing/shared-registry';

function modelsOrDdfError(input: string): void {
  try {
    const models = parseDdf(input);
    expect(Array.isArray(models)).toBe(true);
  } catch (error) {
    if (!DdfError.isInstance(error)) throw error;
  }
}

describe('parseDdf on arbitrary input', () => {
  const device = readFileSync(`${REGISTRY_DIR}3-1_2.xml`, 'utf8');
  const body = device.slice(device.indexOf('<LWM2M'));

  it('random text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), modelsOrDdfError), { numRuns: 500 });
  });

  it('random tag soup', () => {
    const token = fc.constantFrom(
      '<LWM2M>',
      '</LWM2M>',
      '<Object>',
      '</Object>',
      '<Item ID="1">',
      '</Item>',
      '<Name>',
      '</Name>',
      '<ObjectID>',
      '</ObjectID>',
      '<Resources>',
      '</Resources>',
      '<Type/>',
      '<![CDATA[x]]>',
      '&amp;',
      '&#60;',
      '3',
      'Multiple',
      ' ',
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 40 }), (tokens) => modelsOrDdfError(tokens.join(''))),
      { numRuns: 1000 },
    );
  });

  it('a real DDF with random edits', () => {
    const edit = fc.record({
      at: fc.nat({ max: body.length }),
      remove: fc.nat({ max: 40 }),
      insert: fc.string({ maxLength: 12 }),
    });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        let text = body;
        for (const { at, remove, insert } of edits) text = text.slice(0, at) + insert + text.slice(at + remove);
        modelsOrDdfError(text);
      }),
      { numRuns: 300 },
    );
  });
});
