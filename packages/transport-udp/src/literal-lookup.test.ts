import { describe, expect, it } from 'vitest';
import { literalFirstLookup } from './literal-lookup';

describe('literalFirstLookup', () => {
  it('answers IP literals at once, synchronously, with their family', () => {
    const answers: [string, number][] = [];
    for (const host of ['127.0.0.1', '::1', '::ffff:192.0.2.1', 'fe80::1%lo'])
      literalFirstLookup(host, 4, (error, address, family) => {
        expect(error).toBeNull();
        answers.push([address, family]);
      });
    expect(answers).toEqual([
      ['127.0.0.1', 4],
      ['::1', 6],
      ['::ffff:192.0.2.1', 6],
      ['fe80::1%lo', 6],
    ]);
  });

  it('resolves a name through dns.lookup (numeric family or options), and reports a bad one', async () => {
    const viaNumber = await new Promise<[string, number]>((resolve, reject) =>
      literalFirstLookup('localhost', 4, (error, address, family) =>
        error ? reject(error) : resolve([address, family]),
      ),
    );
    expect(viaNumber).toEqual(['127.0.0.1', 4]);
    const viaOptions = await new Promise<number>((resolve, reject) =>
      literalFirstLookup('localhost', { family: 4 }, (error, _address, family) =>
        error ? reject(error) : resolve(family),
      ),
    );
    expect(viaOptions).toBe(4);
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
      literalFirstLookup('no-such-host.invalid', 4, (e) => resolve(e)),
    );
    expect(error?.code).toMatch(/ENOTFOUND|EAI_AGAIN/);
  });
});
