/**
 * The renderer's side of the contract, free of schema code: the PoolscopeApi
 * every host implements, derived from the command table's types, and
 * createApi, which builds it over any transport that can send a command.
 */
import type { CommandArgs, CommandName, CommandValue, WireCommand } from './commands';
import type { Frame } from './events';
import type { CommandResult } from './results';

export { commandError, ERROR_CODES } from './results';
export type { CommandError, CommandResult, ErrorCode, HostInfo, PlatformMeasures } from './results';

/**
 * Every command's name, in the table's order. The type below makes the
 * compiler refuse this list if it misses a command or names one that is not.
 */
export const COMMAND_NAMES = [
  'info',
  'configure',
  'start',
  'pause',
  'resume',
  'cancel',
  'resize',
  'reset',
  'close',
  'runPython',
  'pythonSetup',
  'choosePythonScript',
  'attachCluster',
] as const satisfies readonly CommandName[];
type Missing = Exclude<CommandName, (typeof COMMAND_NAMES)[number]>;
const complete: [Missing] extends [never] ? true : Missing = true;
void complete;

/** What the desktop app's menu asks the page to do (the browser host has no menu). */
export const MENU_ACTIONS = ['run', 'export-trace', 'export-csv', 'export-png', 'import-trace'] as const;
export type MenuAction = (typeof MENU_ACTIONS)[number];

export type CommandMethods = {
  [K in CommandName]: (...args: CommandArgs<K>) => Promise<CommandResult<CommandValue<K>>>;
};

/** Implemented by the Electron preload and by the browser host's WebSocket client. */
export interface PoolscopeApi extends CommandMethods {
  /** Every frame from now on; returns the unsubscribe function. */
  onFrame(listener: (frame: Frame) => void): () => void;
  /** Menu commands meant for the page; returns the unsubscribe function. */
  onMenu(listener: (action: MenuAction) => void): () => void;
}

/** The names PoolscopeApi exposes — exactly what the preload may put on window. */
export const API_METHODS = [...COMMAND_NAMES, 'onFrame', 'onMenu'] as const;

/** Sends one command and resolves with its result; never rejects. */
export type SendCommand = (command: WireCommand) => Promise<CommandResult<unknown>>;

/** Builds the API over any transport that can send a command and subscribe to frames and menu actions. */
export function createApi(
  send: SendCommand,
  onFrame: PoolscopeApi['onFrame'],
  onMenu: PoolscopeApi['onMenu'],
): PoolscopeApi {
  const methods = Object.fromEntries(
    COMMAND_NAMES.map((name) => [name, (...args: unknown[]) => send({ name, args } as WireCommand)]),
  ) as unknown as CommandMethods;
  return { ...methods, onFrame, onMenu };
}
