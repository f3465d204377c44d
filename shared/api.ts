/**
 * The renderer's side of the contract, free of schema code: what commands
 * answer, the PoolscopeApi every host implements, and createApi, which builds
 * it over any transport. Commands and frames are defined in protocol.ts.
 */
import type { Backend, RunSpec } from './run-spec';
import type { CancelRunning, Command, Frame } from './protocol';

export const ERROR_CODES = ['invalid', 'too-large', 'busy', 'idle', 'failed'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface CommandError {
  ok: false;
  code: ErrorCode;
  /** Dotted path of the offending field, '' for the command as a whole. */
  field: string;
  message: string;
}
export type CommandResult<T = undefined> = { ok: true; value: T } | CommandError;

/** What each command answers with when it succeeds. */
export interface CommandValues {
  info: HostInfo;
  configure: undefined;
  start: { runId: number };
  pause: undefined;
  resume: undefined;
  cancel: undefined;
  resize: undefined;
  reset: undefined;
  close: undefined;
}

export function commandError(code: ErrorCode, message: string, field = ''): CommandError {
  return { ok: false, code, field, message };
}

export interface HostInfo {
  host: 'electron' | 'browser' | 'cli';
  /** Logical cores of the machine running the workers. */
  cores: number;
  platform: string;
  /** True where the sampler can tell which core each worker last ran on (Linux). */
  coreSampling: boolean;
  poolSize: number;
  backend: Backend;
}

/** What the desktop app's menu asks the page to do (the browser host has no menu). */
export const MENU_ACTIONS = ['run', 'export-trace', 'export-csv', 'export-png', 'import-trace'] as const;
export type MenuAction = (typeof MENU_ACTIONS)[number];

/** Implemented by the Electron preload and by the browser host's WebSocket client. */
export interface PoolscopeApi {
  info(): Promise<CommandResult<HostInfo>>;
  configure(poolSize: number, backend: Backend): Promise<CommandResult>;
  start(spec: RunSpec): Promise<CommandResult<{ runId: number }>>;
  pause(): Promise<CommandResult>;
  resume(): Promise<CommandResult>;
  cancel(running: CancelRunning): Promise<CommandResult>;
  resize(poolSize: number): Promise<CommandResult>;
  reset(): Promise<CommandResult>;
  /** Lets every worker exit (Python's close + join); a later configure or start brings the pool back. */
  close(): Promise<CommandResult>;
  /** Every frame from now on; returns the unsubscribe function. */
  onFrame(listener: (frame: Frame) => void): () => void;
  /** Menu commands meant for the page; returns the unsubscribe function. */
  onMenu(listener: (action: MenuAction) => void): () => void;
}

/** The names PoolscopeApi exposes — exactly what the preload may put on window. */
export const API_METHODS = [
  'info',
  'configure',
  'start',
  'pause',
  'resume',
  'cancel',
  'resize',
  'reset',
  'close',
  'onFrame',
  'onMenu',
] as const;

type Send = <C extends Command>(command: C) => Promise<CommandResult<CommandValues[C['type']]>>;

/** Builds the API over any transport that can send a command and subscribe to frames and menu actions. */
export function createApi(send: Send, onFrame: PoolscopeApi['onFrame'], onMenu: PoolscopeApi['onMenu']): PoolscopeApi {
  return {
    info: () => send({ type: 'info' }),
    configure: (poolSize, backend) => send({ type: 'configure', poolSize, backend }),
    start: (spec) => send({ type: 'start', spec }),
    pause: () => send({ type: 'pause' }),
    resume: () => send({ type: 'resume' }),
    cancel: (running) => send({ type: 'cancel', running }),
    resize: (poolSize) => send({ type: 'resize', poolSize }),
    reset: () => send({ type: 'reset' }),
    close: () => send({ type: 'close' }),
    onFrame,
    onMenu,
  };
}
