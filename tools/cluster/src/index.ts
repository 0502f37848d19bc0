export { encodePing, isResetFor } from './coap-ping';
export {
  type BackendAddress,
  type BalancerFlow,
  type BalancerStats,
  type HealthCheckOptions,
  UdpBalancer,
  type UdpBalancerOptions,
} from './udp-balancer';
