import { EMBEDDED_CORE_OBJECTS } from './embedded/embedded-core';
import { decodeEmbedded } from './embedded/embedded-format';
import { EMBEDDED_IPSO_OBJECTS } from './embedded/embedded-ipso';
import { EMBEDDED_STRINGS } from './embedded/embedded-strings';
import { ModelRegistry } from './model-registry';
import type { ObjectModel } from './types';

/** Ids of the embedded LwM2M core objects: Security, Server, Access Control, Device, Connectivity Monitoring, Firmware Update, Location, Connectivity Statistics, Software Management, OSCORE. */
export const CORE_OBJECT_IDS: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 7, 9, 21];

/** The embedded LwM2M core objects, every version of the OMA registry. A fresh copy per call. */
export function coreObjectModels(): ObjectModel[] {
  return decodeEmbedded(EMBEDDED_CORE_OBJECTS, EMBEDDED_STRINGS);
}

/** The embedded IPSO Smart Objects (3200-3203, 3300-3350), every version of the OMA registry. A fresh copy per call. */
export function ipsoObjectModels(): ObjectModel[] {
  return decodeEmbedded(EMBEDDED_IPSO_OBJECTS, EMBEDDED_STRINGS);
}

/** Every embedded object model: core objects, then IPSO Smart Objects. */
export function embeddedObjectModels(): ObjectModel[] {
  return [...coreObjectModels(), ...ipsoObjectModels()];
}

/**
 * A new registry holding the embedded core and IPSO objects. Each call returns an independent
 * registry, so adding a user's models to one does not leak into another.
 */
export function createDefaultRegistry(): ModelRegistry {
  return new ModelRegistry(embeddedObjectModels());
}
