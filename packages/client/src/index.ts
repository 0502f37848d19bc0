export type { DirectAccessIdentity, DirectAccessRule } from './access/direct-access';
export { AccessControl, AclRight, accessControlInstance } from './acl/access-control';
export { AttributeStore } from './attributes/attribute-store';
export {
  ATTRIBUTE_NAMES,
  type AttributeChange,
  type AttributeName,
  type NotificationAttributes,
  parseAttributeQuery,
} from './attributes/notification-attributes';
export { BootstrapFailedError } from './bootstrap/bootstrap-client';
export { ClientEventEmitter, type ClientEventName, type ClientEvents } from './client-events';
export { type ExecuteArgument, parseExecuteArguments } from './enabler/execute-arguments';
export {
  BOOTSTRAP,
  type ClientControl,
  type InstanceBinding,
  type InstanceEnabler,
  isMultipleContent,
  LOCAL,
  NO_CONTROL,
  type Requester,
  type ResourceContent,
  type WriteContext,
} from './enabler/instance-enabler';
export { type ObjectDefinition, ObjectEnabler } from './enabler/object-enabler';
export { type PlainContent, type PlainValue, toContent, toValue } from './enabler/plain-values';
export { SimpleInstance, type SimpleInstanceOptions } from './enabler/simple-instance';
export {
  LwM2mClient,
  type LwM2mClientOptions,
  type LwM2mVersion,
  type QueueModeOptions,
  type ServerStatus,
} from './lwm2m-client';
export { type AccountOptions, accountObjects } from './objects/account-objects';
export { DeviceError, DeviceInstance, type DeviceInstanceOptions, deviceInstance } from './objects/device-object';
export { IPSO, IpsoSensor, type IpsoSensorOptions, ipsoSensor } from './objects/ipso-sensor';
export { type OscoreInstanceOptions, oscoreInstance } from './objects/oscore-object';
export { type SecurityInstanceOptions, SecurityMode, securityInstance } from './objects/security-object';
export { ServerInstance, type ServerInstanceOptions, serverInstance } from './objects/server-object';
export { registrationLinks, registrationPayload } from './registration/registration-payload';
export { RegistrationFailedError } from './registration/registration-session';
export type { BootstrapAccount, ServerAccount } from './registration/server-accounts';
export type {
  AccountSecurity,
  AccountTransport,
  OscoreCredentials,
  TransportFactory,
} from './security/account-security';
export { SendError, type SendOptions } from './send/send-operation';
export { ObjectTree } from './tree/object-tree';
