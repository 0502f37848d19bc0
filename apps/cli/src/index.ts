export { runCli, buildProgram } from './program';
export { ExitCode, CliError, type CliIo } from './cli-io';
export { startDemoServer, demoRouter, LARGE_BODY, type DemoServer, type DemoServerOptions } from './demo-server';
export { parseContentFormat, contentFormatName } from './content-formats';
export { prettyPayload, prettyLinks, prettySenml, hexDump } from './pretty-payload';
export { cborDiagnostic } from './cbor-diagnostic';
export { describeMessage, traceTransport } from './message-trace';
export { responseJson, type ResponseJson } from './response-output';
