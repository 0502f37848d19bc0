/**
 * The link-format body of Register / Update (OMA LwM2M TS Transport §6.2): `</>;rt="oma.lwm2m"`
 * (with `ct` from 1.1 on), then every object and instance except Security (0) and OSCORE (21),
 * with `ver` on objects whose version is not 1.0. Built here with the codec's link format.
 */
import { ContentFormat, type Link, serializeLinkFormat } from '@lwm2m-ts/codec';
import type { ObjectTree } from '../tree/object-tree';

/** Objects never announced in a registration. */
const HIDDEN_OBJECTS: ReadonlySet<number> = new Set([0, 21]);

export interface RegistrationPayloadOptions {
  readonly lwm2mVersion: string;
  /** The content format the client prefers (`ct=` on `</>`, 1.1 and later). */
  readonly preferredContentFormat?: number;
}

export function registrationLinks(tree: ObjectTree, options: RegistrationPayloadOptions): Link[] {
  const links: Link[] = [];
  if (options.lwm2mVersion !== '1.0') {
    links.push({
      href: '/',
      attributes: [
        { name: 'rt', value: 'oma.lwm2m', quoted: true },
        { name: 'ct', value: String(options.preferredContentFormat ?? ContentFormat.SENML_CBOR) },
      ],
    });
  }
  for (const object of tree.all()) {
    if (HIDDEN_OBJECTS.has(object.id)) continue;
    const ids = object.instanceIds();
    const ver = object.version !== '1.0' ? [{ name: 'ver', value: object.version }] : [];
    if (ids.length === 0 || ver.length > 0) links.push({ href: `/${object.id}`, attributes: ver });
    for (const id of ids) links.push({ href: `/${object.id}/${id}`, attributes: [] });
  }
  return links;
}

export function registrationPayload(tree: ObjectTree, options: RegistrationPayloadOptions): string {
  return serializeLinkFormat(registrationLinks(tree, options));
}
