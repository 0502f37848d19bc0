/**
 * Send (OMA LwM2M TS Core 1.1 §6.4.5 / Transport §6.5): the client pushes values to a server
 * with `POST /dp`, a SenML (or LwM2M CBOR) body of one or several paths. A server whose Mute
 * Send (/1/x/23) is true must not receive it.
 */
import type { Endpoint, Peer } from '@lwm2m-ts/coap';
import { CoapCode, ContentFormat } from '@lwm2m-ts/codec';
import type { LwM2mNode, LwM2mPath } from '@lwm2m-ts/objects';
import type { ContentNegotiation } from '../coap/content-negotiation';
import { LOCAL } from '../enabler/instance-enabler';
import type { ServerAccount } from '../registration/server-accounts';
import { readNode } from '../tree/node-reader';
import type { ObjectTree } from '../tree/object-tree';

export interface SendOptions {
  /** Target server (default: the first registered one). */
  readonly shortServerId?: number;
  /** SenML CBOR (default), SenML JSON or LwM2M CBOR. */
  readonly contentFormat?: number;
  readonly confirmable?: boolean;
}

export class SendError extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
    this.name = 'SendError';
  }
}

export interface SendDeps {
  readonly tree: ObjectTree;
  readonly endpoint: Endpoint;
  readonly negotiation: ContentNegotiation;
  readonly lwm2mVersion: string;
}

export async function sendData(
  d: SendDeps,
  account: ServerAccount,
  peer: Peer,
  paths: readonly LwM2mPath[],
  options: SendOptions,
): Promise<void> {
  if (d.lwm2mVersion === '1.0') throw new SendError('Send needs LwM2M 1.1 or later');
  if (account.muteSend) throw new SendError(`server ${account.shortServerId} muted Send (/1/x/23)`);
  if (paths.length === 0) throw new SendError('Send needs at least one path');
  const nodes = new Map<string, LwM2mNode>();
  for (const p of paths) nodes.set(p.toString(), await readNode(d.tree, p, LOCAL));
  const { payload, contentFormat } = d.negotiation.encodeComposite(
    nodes,
    options.contentFormat ?? ContentFormat.SENML_CBOR,
  );
  const res = await d.endpoint.request({
    method: 'POST',
    peer,
    path: ['dp'],
    payload,
    contentFormat,
    ...(options.confirmable !== undefined ? { confirmable: options.confirmable } : {}),
  });
  if (res.code !== CoapCode.CHANGED)
    throw new SendError(`Send answered ${res.codeText} ${res.text()}`.trim(), res.code);
}
