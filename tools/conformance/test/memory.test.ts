import { expect, it } from 'vitest';
import { describeLwM2mBehaviour } from '../src/behaviour-suite';
import { type MemoryPair, memoryPair } from '../src/transports/memory';

describeLwM2mBehaviour('MemoryNetwork (datagram)', () => memoryPair());

let lossy: MemoryPair | undefined;
describeLwM2mBehaviour(
  'MemoryNetwork with 10 % loss and 10 % duplication (seeded)',
  async () => {
    lossy = await memoryPair({ loss: 0.1, duplicate: 0.1, delayMs: 1 }, 20261121);
    return lossy;
  },
  // A lost notification is retransmitted after 150-225 ms, then 300-450 ms, ...
  { deliverySlackMs: 1_000 },
);

it('the lossy network really lost and duplicated frames during the suite', () => {
  expect(lossy?.network.stats.lost).toBeGreaterThan(0);
  expect(lossy?.network.stats.duplicated).toBeGreaterThan(0);
});
