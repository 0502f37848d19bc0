#!/usr/bin/env node
/** `lwm2m-server`: starts the application and stops it cleanly on SIGINT / SIGTERM. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RedisUnavailableError, redactUrl } from '@lwm2m-ts/store-redis';
import { pino } from 'pino';
import { ConfigurationError, startServerApp } from './app/start-server-app';
import { parseCommandLine } from './cli/command-line';

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};
const { options, logLevel } = parseCommandLine(
  process.argv.slice(2),
  packageJson.version,
  fileURLToPath(new URL('./ui/', import.meta.url)),
);
const logger = pino({ level: logLevel });

try {
  const app = await startServerApp({ ...options, logger });
  logger.info(
    {
      coap: `udp ${options.coapHost}:${app.coapPort}`,
      coaps: app.coapsPort !== undefined ? `dtls ${app.coapsPort}` : 'off',
      ...(app.tlsPort !== undefined ? { tls: `tls ${app.tlsPort}` } : {}),
      bootstrap: app.bsPort !== undefined ? `udp ${options.bsHost ?? options.coapHost}:${app.bsPort}` : 'off',
      bootstrapCoaps: app.bsCoapsPort !== undefined ? `dtls ${app.bsCoapsPort}` : 'off',
      http: app.httpUrl,
      ...(app.cluster ? { cluster: `node ${app.nodeId} on ${redactUrl(options.redis ?? '')}` } : {}),
    },
    `lwm2m-ts server ready: web UI and API on ${app.httpUrl}`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      logger.warn('second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown took over 10 s: exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    app.close().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
} catch (error) {
  // Also on stderr, plain: a shell or a supervisor shows why the server did not start.
  process.stderr.write(`lwm2m-server: could not start: ${(error as Error).message}\n`);
  if (error instanceof ConfigurationError || RedisUnavailableError.isInstance(error)) {
    logger.fatal(error.message);
  } else {
    const e = error as NodeJS.ErrnoException;
    logger.fatal(
      { err: error },
      e.code === 'EADDRINUSE'
        ? `a port is already in use: ${e.message} (pick another with the port flags)`
        : 'could not start',
    );
  }
  process.exit(1);
}
