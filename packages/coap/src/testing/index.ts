export {
  type LinkConditions,
  MemoryNetwork,
  type MemoryNetworkOptions,
  MemoryTransport,
  type MemoryTransportOptions,
  type NetworkStats,
} from './memory-network';
export { seededRandom } from './random';
