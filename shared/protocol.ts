/**
 * The whole contract in one import for Node-side code: commands (with their
 * schemas), events and frames, results. The renderer imports api.ts and
 * events.ts instead, so it never bundles the schema library.
 */
export * from './commands';
export * from './events';
export * from './results';
export { API_METHODS, COMMAND_NAMES, createApi, MENU_ACTIONS } from './api';
export type { CommandMethods, MenuAction, PoolscopeApi, SendCommand } from './api';
