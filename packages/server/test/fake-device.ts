/**
 * A minimal LwM2M device on raw CoAP (an Endpoint on a MemoryNetwork transport), enough to
 * drive the server's CoAP side: Register/Update/De-register, Device object reads in TLV/text,
 * writes, executes, discover, an observable resource, Send.
 */
import { Endpoint, type Peer, type Transport } from '@lwm2m-ts/coap';
import { ContentFormat, decodeUtf8 } from '@lwm2m-ts/codec';
import {
  createNodeCodecRegistry,
  type LwM2mNode,
  LwM2mPath,
  LwM2mValue,
  ObjectInstance,
  Resource,
} from '@lwm2m-ts/objects';

export const codecs = createNodeCodecRegistry();

export class FakeDevice {
  readonly endpoint: Endpoint;
  manufacturer = 'Acme';
  battery = 87;
  readonly received: {
    method: string;
    path: string;
    payload: string;
    query: readonly string[];
    contentFormat?: number;
  }[] = [];
  location: string[] = [];

  constructor(
    transport: Transport,
    readonly server: Peer,
    readonly name = 'dev1',
  ) {
    this.endpoint = new Endpoint({ transport });
    const record =
      (method: string) =>
      (req: {
        path: readonly string[];
        payload: Uint8Array;
        query: readonly string[];
        contentFormat: number | undefined;
      }) => {
        this.received.push({
          method,
          path: `/${req.path.join('/')}`,
          payload: decodeUtf8(req.payload),
          query: req.query,
          ...(req.contentFormat !== undefined ? { contentFormat: req.contentFormat } : {}),
        });
      };
    this.endpoint.router.get('/3/0', (req) => {
      record('GET')(req);
      const format = req.accept ?? ContentFormat.LWM2M_TLV;
      return { contentFormat: format, payload: codecs.encode(format, this.deviceInstance(), LwM2mPath.of(3, 0)) };
    });
    this.endpoint.router.add('/3/0/0', {
      get: (req) => {
        record('GET')(req);
        if (req.accept === ContentFormat.LINK_FORMAT) return { contentFormat: 40, payload: '</3/0/0>' };
        return { contentFormat: ContentFormat.TEXT_PLAIN, payload: this.manufacturer };
      },
      put: (req) => {
        record('PUT')(req);
        const node = codecs.decode(req.contentFormat ?? 0, req.payload, LwM2mPath.of(3, 0, 0));
        if (node.kind === 'resource' && !node.multiple && node.value.type === 'string')
          this.manufacturer = node.value.value;
        return { code: 0x44 };
      },
      observable: true,
    });
    this.endpoint.router.get(
      '/3/0/9',
      (req) => {
        record('GET')(req);
        return { contentFormat: ContentFormat.TEXT_PLAIN, payload: String(this.battery) };
      },
      { observable: true },
    );
    this.endpoint.router.post('/3/0/4', (req) => {
      record('POST')(req);
      return { code: 0x44 };
    });
    this.endpoint.router.put('/3/0', (req) => {
      record('PUT')(req);
      return { code: 0x44 };
    });
  }

  deviceInstance(): ObjectInstance {
    return ObjectInstance.of(0, [
      Resource.single(0, LwM2mValue.string(this.manufacturer)),
      Resource.single(9, LwM2mValue.integer(this.battery)),
    ]);
  }

  /** Sets the battery level and notifies observers. */
  setBattery(level: number): void {
    this.battery = level;
    this.endpoint.notify('/3/0/9');
  }

  async register(
    query: readonly string[] = ['lt=60', 'lwm2m=1.1', 'b=U'],
    links = '</>;rt="oma.lwm2m";ct="0 11542 110 112",</1/0>,</3/0>',
  ) {
    const response = await this.endpoint.request({
      peer: this.server,
      method: 'POST',
      path: 'rd',
      query: [`ep=${this.name}`, ...query],
      payload: links,
      contentFormat: ContentFormat.LINK_FORMAT,
    });
    this.location = response.locationPath;
    return response;
  }

  update(query: readonly string[] = [], links?: string) {
    return this.endpoint.request({
      peer: this.server,
      method: 'POST',
      path: this.location,
      query,
      ...(links !== undefined ? { payload: links, contentFormat: ContentFormat.LINK_FORMAT } : {}),
    });
  }

  deregister() {
    return this.endpoint.request({ peer: this.server, method: 'DELETE', path: this.location });
  }

  send(nodes: ReadonlyMap<string, LwM2mNode>, format: number = ContentFormat.SENML_JSON) {
    return this.endpoint.request({
      peer: this.server,
      method: 'POST',
      path: 'dp',
      contentFormat: format,
      payload: codecs.encodeComposite(format, nodes),
    });
  }

  close() {
    return this.endpoint.close();
  }
}
