import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCommandLine } from '../src/cli/command-line';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe('lwm2m-server flags', () => {
  it('defaults to UDP 5683 / 5783 and HTTP 8080 on loopback', () => {
    const { options, logLevel } = parseCommandLine([], '1.2.3', '/ui');
    expect(options).toMatchObject({
      coapHost: '0.0.0.0',
      coapPort: 5683,
      bsPort: 5783,
      bootstrap: true,
      httpHost: '127.0.0.1',
      httpPort: 8080,
      uiDir: '/ui',
      version: '1.2.3',
    });
    expect(options.apiToken).toBeUndefined();
    expect(logLevel).toBe('info');
  });

  it('reads every flag', () => {
    const { options, logLevel } = parseCommandLine(
      [
        '--coap-host',
        '::',
        '--coap-port',
        '15683',
        '--bs-host',
        '127.0.0.1',
        '--bs-port',
        '0',
        '--no-bootstrap',
        '--http-host',
        '0.0.0.0',
        '--http-port',
        '18080',
        '--api-token',
        't',
        '--models',
        '/m',
        '--log-level',
        'debug',
        '--dtls-port',
        '5684',
        '--dtls-host',
        '127.0.0.1',
        '--tcp-port',
        '5685',
        '--tcp-host',
        '::1',
        '--coap-ws',
        '--request-timeout',
        '1500',
        '--awake-time',
        '2000',
        '--ui-dir',
        '/other',
      ],
      '0.0.0',
    );
    expect(options).toMatchObject({
      coapHost: '::',
      coapPort: 15683,
      bsHost: '127.0.0.1',
      bsPort: 0,
      bootstrap: false,
      httpHost: '0.0.0.0',
      httpPort: 18080,
      apiToken: 't',
      modelsDir: '/m',
      requestTimeoutMs: 1500,
      awakeTimeMs: 2000,
      coapsPort: 5684,
      coapsHost: '127.0.0.1',
      tcpPort: 5685,
      tcpHost: '::1',
      coapOverWebSockets: true,
      uiDir: '/other',
    });
    expect(logLevel).toBe('debug');
  });

  it('turns DTLS on by default and reads the secured-transport flags', () => {
    expect(parseCommandLine([], '0').options).toMatchObject({ coaps: true });
    expect(parseCommandLine([], '0').options.coapsPort).toBeUndefined(); // the app's default: 5684
    expect(parseCommandLine(['--no-coaps'], '0').options.coaps).toBe(false);
    const dir = mkdtempSync(join(tmpdir(), 'lwm2m-pem-'));
    const pem = '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n';
    for (const name of ['cert.pem', 'key.pem', 'rpk.pem', 'ca.pem']) writeFileSync(join(dir, name), `${name}\n${pem}`);
    const { options } = parseCommandLine(
      [
        ...['--coaps-port', '25684', '--bs-coaps-port', '25784', '--tls-port', '25685', '--tls-host', '::1'],
        ...['--coaps-cert', join(dir, 'cert.pem'), '--coaps-key', join(dir, 'key.pem')],
        ...['--coaps-rpk', join(dir, 'rpk.pem'), '--ca', join(dir, 'ca.pem')],
      ],
      '0',
    );
    expect(options).toMatchObject({ coapsPort: 25684, bsCoapsPort: 25784, tlsPort: 25685, tlsHost: '::1' });
    expect(options.credentials?.certificate).toMatch(/^cert\.pem\n-----BEGIN/);
    expect(options.credentials?.privateKey).toMatch(/^key\.pem/);
    expect(options.credentials?.rpkPrivateKey).toMatch(/^rpk\.pem/);
    expect(options.credentials?.trustedCertificates).toMatch(/^ca\.pem/);
    process.env.LWM2M_COAPS_PORT = '25690';
    expect(parseCommandLine([], '0').options.coapsPort).toBe(25690);
  });

  it('takes environment variables when flags are absent', () => {
    process.env.LWM2M_COAP_PORT = '25683';
    process.env.LWM2M_HTTP_HOST = '::1';
    process.env.LWM2M_API_TOKEN = 'from-env';
    process.env.LWM2M_MODELS = '/models';
    process.env.LWM2M_LOG_LEVEL = 'warn';
    const { options, logLevel } = parseCommandLine(['--coap-port', '25684'], '0.0.0');
    expect(options).toMatchObject({ coapPort: 25684, httpHost: '::1', apiToken: 'from-env', modelsDir: '/models' });
    expect(logLevel).toBe('warn');
  });
});
