export { type DiscoverOptions, discoverCommand } from './discover-command';
export { createMulticastListener, RD_MULTICAST_IPV4, RD_MULTICAST_IPV6 } from './multicast-transport';
export { buildProgram, type ProgramIo } from './program';
export { type RdServer, type RdServerOptions, startRdServer } from './rd-server';
export { registrationJson, type StatusPage, startStatusPage } from './status-page';
