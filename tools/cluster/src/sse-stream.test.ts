import { createServer, type Server, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { EventStream, SseParser } from './sse-stream';

describe('SseParser', () => {
  it('parses events split at any point, with comments, CRLF and multi-line data', () => {
    const text =
      'retry: 2000\n: connected\n\nevent: notification\ndata: {"a":1}\n\r\n' +
      'event: x\r\ndata: line1\r\ndata:line2\r\n\r\n: keep-alive\n\ndata: plain\n\n';
    const whole = new SseParser().push(text);
    expect(whole).toEqual([
      { event: 'notification', data: '{"a":1}' },
      { event: 'x', data: 'line1\nline2' },
      { event: 'message', data: 'plain' },
    ]);
    for (let split = 1; split < text.length; split++) {
      const p = new SseParser();
      expect([...p.push(text.slice(0, split)), ...p.push(text.slice(split))]).toEqual(whole);
    }
    const oneByOne = new SseParser();
    expect([...text].flatMap((c) => oneByOne.push(c))).toEqual(whole);
  });

  it('survives garbage: fields without colon, unknown fields, stray CRs, no data', () => {
    const p = new SseParser();
    expect(p.push('data\n\nbogus: 1\nid: 7\n\n\r\r\n\n:\n\u0000\n\n')).toEqual([{ event: 'message', data: '' }]);
  });

  it('skips overlong lines and keeps parsing after them', () => {
    const p = new SseParser(64);
    expect(p.push(`data: ${'x'.repeat(100)}`)).toEqual([]);
    expect(p.overlongLines).toBe(1);
    expect(p.push(`${'y'.repeat(10)}\n\ndata: ok\n\n`)).toEqual([{ event: 'message', data: 'ok' }]);
  });
});

describe('EventStream', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((r) => server?.close(r));
    server = undefined;
  });

  async function serve(body: (res: ServerResponse) => void, status = 200): Promise<string> {
    server = createServer((_req, res) => {
      res.writeHead(status, { 'content-type': 'text/event-stream' });
      body(res);
    });
    await new Promise<void>((r) => server!.listen(27110, '127.0.0.1', r));
    return 'http://127.0.0.1:27110';
  }

  it('hands JSON objects to the callback and counts data that is not one', async () => {
    const url = await serve((res) => {
      res.write('event: a\ndata: {"type":"a","n":1}\n\n');
      res.write('data: not json\n\ndata: [1,2]\n\ndata: null\n\n');
      res.end('data: {"type":"b"}\n\n');
    });
    const got: unknown[] = [];
    const stream = await EventStream.open({ baseUrl: url, types: ['a', 'b'], onEvent: (e) => got.push(e) });
    await new Promise((r) => setTimeout(r, 200));
    expect(got).toEqual([{ type: 'a', n: 1 }, { type: 'b' }]);
    expect(stream.malformed).toBe(3);
    expect(stream.ended).toBe(true);
  });

  it('rejects a non-200 answer and an unreachable server', async () => {
    const url = await serve((res) => res.end(), 401);
    await expect(EventStream.open({ baseUrl: url, onEvent: () => {} })).rejects.toThrow(/answered 401/);
    await expect(EventStream.open({ baseUrl: 'http://127.0.0.1:27111', onEvent: () => {} })).rejects.toThrow();
  });
});
