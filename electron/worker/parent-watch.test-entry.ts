/**
 * A process for the lifetime tests: it watches its parent, says so, then spins
 * in a loop that never yields — as a worker inside a `hang` task does.
 */
import { watchParent } from './parent-watch';

watchParent();
// Sent before the loop starts (the callback runs once the message is written): the loop starves everything else.
process.send?.({ spinning: process.pid }, () => {
  for (;;);
});
