/**
 * The bridge's rules, free of Electron so they are unit-tested: who may send
 * commands (only our window's main frame showing our own page), the one command
 * wrapper in front of the engine's validating handler.
 */
import { commandError, type CommandResult } from '../../shared/api';
import type { CommandHandler } from '../engine/controller';
import { isOwnUrl } from './urls';

/** The part of Electron's WebFrameMain the sender check reads. */
export interface FrameLike {
  /** Unique per frame document; survives nothing but the document itself. */
  readonly frameToken: string;
  readonly url: string;
  readonly parent: unknown;
}

/** The part of an ipcMain event the bridge reads. */
export interface SenderEvent {
  readonly senderFrame: FrameLike | null;
}

/**
 * True only for our window's top-level frame showing one of our origins: not a
 * subframe, not a frame that has navigated away (Electron gives null then), not
 * another window.
 */
export function isTrustedSender(
  sender: FrameLike | null,
  mainFrame: FrameLike | null,
  origins: readonly string[],
): boolean {
  if (!sender || !mainFrame) return false;
  return sender.frameToken === mainFrame.frameToken && sender.parent === null && isOwnUrl(sender.url, origins);
}

/**
 * The one ipcMain wrapper: checks the sender, then hands the raw payload to the
 * engine's handler, which validates it against the shared schemas. Errors are
 * values; nothing here throws back into the renderer.
 */
export function createCommandBridge(
  handler: CommandHandler,
  isTrusted: (frame: FrameLike | null) => boolean,
): (event: SenderEvent, raw: unknown) => Promise<CommandResult<unknown>> {
  return async (event, raw) => {
    if (!isTrusted(event.senderFrame))
      return commandError('invalid', 'commands are accepted from the Poolscope window only');
    return handler(raw);
  };
}
