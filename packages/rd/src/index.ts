export { type RdCoapInterface, type RdCoapOptions, serveResourceDirectory, sourceBaseOf } from './coap-interface';
export { identityKey } from './identity';
export { DEFAULT_INDEXED, MemoryRdStore, type MemoryRdStoreOptions } from './memory-rd-store';
export {
  type DiscoveredRd,
  discoverResourceDirectories,
  interfacesOf,
  type MulticastDiscoveryOptions,
  RD_MULTICAST_IPV4,
  RD_MULTICAST_IPV6_LINK_LOCAL,
} from './multicast-discovery';
export {
  DEFAULT_LIFETIME_S,
  MAX_LIFETIME_S,
  MAX_NAME_BYTES,
  mergeAttributes,
  parseRegistrationParameters,
  type RegistrationParameters,
} from './parameters';
export {
  type Criterion,
  type LookupQuery,
  linkMatches,
  parseLookupQuery,
  registrationMatches,
  registrationSatisfies,
} from './query';
export {
  RdClient,
  type RdClientOptions,
  type RdInterfaces,
  RdRegistration,
  type RdTarget,
  type RegisterOptions,
} from './rd-client';
export type { RdStore } from './rd-store';
export { endpointLink, locationHref, type Registration, registrationAttributes, resolvedLink } from './registration';
export {
  type AuthorizationRequest,
  ownerOnly,
  type RdAction,
  type RdAuthorizer,
  type RdEvent,
  type RequestSource,
  ResourceDirectory,
  type ResourceDirectoryOptions,
} from './resource-directory';
export { isValidBase, removeDotSegments, resolveReference } from './uri-reference';
