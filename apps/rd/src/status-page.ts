/** A small HTTP status page: GET / (HTML), /registrations (JSON), /health. node:http only. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serializeLinkFormat } from '@lwm2m-ts/codec';
import type { Registration, ResourceDirectory } from '@lwm2m-ts/rd';

export interface StatusPage {
  readonly port: number;
  close(): Promise<void>;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function registrationJson(r: Registration, now: number) {
  return {
    location: `/${r.location.join('/')}`,
    ep: r.ep,
    ...(r.d !== undefined ? { d: r.d } : {}),
    base: r.base,
    lt: r.lt,
    expiresInS: Math.max(0, Math.round((r.expiresAt - now) / 1000)),
    attributes: Object.fromEntries(r.attributes.map((a) => [a.name, a.value])),
    links: serializeLinkFormat(r.links),
  };
}

export async function startStatusPage(
  rd: ResourceDirectory,
  options: { host: string; port: number; coapUri: string },
): Promise<StatusPage> {
  // Any RdStore: an empty criteria list asks for every registration.
  const list = async (): Promise<Registration[]> => [...(await rd.store.candidates([]))];
  const server: Server = createServer((req, res) => {
    void answer(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error\n');
    });
  });
  const answer = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    const now = rd.clock.now();
    if (url.pathname === '/health') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (url.pathname === '/registrations') {
      const regs = (await list()).filter((r) => r.expiresAt > now);
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ count: regs.length, registrations: regs.map((r) => registrationJson(r, now)) }, null, 2));
    } else if (url.pathname === '/') {
      const regs = (await list()).filter((r) => r.expiresAt > now);
      const rows = regs
        .slice(0, 1000)
        .map(
          (r) =>
            `<tr><td>${esc(r.ep)}</td><td>${esc(r.d ?? '')}</td><td>${esc(r.base)}</td><td>${Math.round((r.expiresAt - now) / 1000)}</td><td><code>${esc(serializeLinkFormat(r.links))}</code></td></tr>`,
        )
        .join('\n');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html>
<html><head><meta charset="utf-8"><title>lwm2m-rd</title></head><body>
<h1>Resource Directory</h1>
<p>CoAP: <code>${esc(options.coapUri)}</code> — ${regs.length} registration(s). JSON: <a href="/registrations">/registrations</a></p>
<table border="1" cellpadding="4"><tr><th>ep</th><th>d</th><th>base</th><th>expires in (s)</th><th>links</th></tr>
${rows}
</table></body></html>
`);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
