export { cborDiagnostic } from './cbor-diagnostic';
export { CliError, type CliIo, ExitCode } from './cli-io';
export { contentFormatName, parseContentFormat } from './content-formats';
export { type DemoServer, type DemoServerOptions, demoRouter, LARGE_BODY, startDemoServer } from './demo-server';
export { describeMessage, traceTransport } from './message-trace';
export { hexDump, prettyLinks, prettyPayload, prettySenml } from './pretty-payload';
export { buildProgram, runCli } from './program';
export { type ResponseJson, responseJson } from './response-output';
