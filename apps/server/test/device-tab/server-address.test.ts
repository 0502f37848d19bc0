import { parseCoapUri } from '@lwm2m-ts/codec';
import { describe, expect, it } from 'vitest';
import { coapWebSocketUrl, serverUriFor } from '../../ui/src/device-tab/server-address';

describe('server address of the tab device', () => {
  it('uses ws on http pages and wss on https pages, same host and port', () => {
    expect(coapWebSocketUrl({ protocol: 'http:', host: '127.0.0.1:8080' })).toBe(
      'ws://127.0.0.1:8080/.well-known/coap',
    );
    expect(coapWebSocketUrl({ protocol: 'https:', host: 'lwm2m.example' })).toBe(
      'wss://lwm2m.example/.well-known/coap',
    );
    expect(coapWebSocketUrl({ protocol: 'http:', host: '[::1]:8080' })).toBe('ws://[::1]:8080/.well-known/coap');
  });

  it('names the server with a coap+ws / coaps+ws URI the client parses', () => {
    const cases: [string, string, string, number][] = [
      ['ws://127.0.0.1:8080/.well-known/coap', 'coap+ws://127.0.0.1:8080', '127.0.0.1', 8080],
      ['wss://lwm2m.example/.well-known/coap', 'coaps+ws://lwm2m.example:443', 'lwm2m.example', 443],
      ['ws://lwm2m.example/.well-known/coap', 'coap+ws://lwm2m.example:80', 'lwm2m.example', 80],
      ['ws://[::1]:8080/.well-known/coap', 'coap+ws://[::1]:8080', '::1', 8080],
    ];
    for (const [url, uri, host, port] of cases) {
      expect(serverUriFor(url)).toBe(uri);
      expect(parseCoapUri(uri)).toMatchObject({ host, port });
    }
  });
});
