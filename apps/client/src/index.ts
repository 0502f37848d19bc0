export { getValue, listObjects, parseValue, resolveResource, setValue, showContent } from './commands/device-values';
export { COMMAND_HELP, type Command, checkPath, type ParseResult, parseCommand } from './commands/parse-command';
export { type CommandContext, type CommandOutcome, helpLines, runLine } from './commands/run-command';
export { CountingTransport, isNotification, newCounters, type TrafficCounters } from './counting-transport';
export { type ConsoleEnd, type ConsoleOptions, runConsole } from './interactive';
export {
  ALL_OBJECT_IDS,
  buildDeviceObjects,
  type DeviceObjects,
  OBJECT_NAMES,
  type ObjectName,
  parseObjectList,
  type Tickable,
} from './objects/catalog';
export { type RandomSource, randomWalk, seededRandom } from './objects/simulated-instance';
export { buildProgram, failureLines, optionsFromFlags, runSimulatorCli, type SimulatorIo } from './program';
export { createProgress, type ProgressReporter, progressLine, RateMeter, summaryLine } from './progress';
export { type DeviceConfig, type DeviceState, SimulatedDevice, type SimulatorLog, silentLog } from './simulated-device';
export {
  createSimulator,
  DEFAULT_SERVER,
  endpointNames,
  type Simulator,
  type SimulatorOptions,
  type SimulatorStats,
  startSimulator,
} from './simulator';
