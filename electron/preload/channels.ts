/** The IPC channel names the preload and the main-process bridge agree on. */
export const CHANNELS = {
  /** invoke: one Command in, one CommandResult out. */
  command: 'poolscope:command',
  /** renderer → main: a frame listener is subscribed; send the event port. */
  ready: 'poolscope:ready',
  /** main → renderer: carries the MessagePort that frames stream over. */
  port: 'poolscope:port',
  /** main → renderer: a menu action meant for the page (a MenuAction). */
  menu: 'poolscope:menu',
} as const;
