import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import 'uplot/dist/uPlot.min.css';
import './styles/tokens.css';
import './styles/app.css';
import { connectApi } from './api';
import { App } from './app/App';
import { RuntimeContext, type Runtime } from './app/runtime';
import { DrawLoop } from './draw/loop';
import { Pump } from './pump';
import { useApp } from './store';
import { teachRuntimeFor } from './teach/teach-runtime';
import { ReplayScope } from './views/ReplayScope';

const api = connectApi();
const loop = new DrawLoop();
// The session records every run; the live view draws its store of the newest one.
const { session } = teachRuntimeFor(api);
const pump = new Pump(
  loop,
  (snapshot) => useApp.getState().publishLive(snapshot),
  () => session.history.live,
);
pump.connect(session, api, (message) => useApp.getState().setHostError(message));
// While the page is idle, the next run's store is made ready: after each run,
// and whenever the controls ask for a larger one. A step clears 64k slots (about
// 2 ms), so a million tasks' store is readied over many idle moments, not in one long task.
const PREPARE_SLOTS_PER_STEP = 1 << 16;
let preparing = 0;
const prepareNext = () => {
  cancelIdleCallback(preparing);
  const step = (deadline: IdleDeadline) => {
    while (!session.history.prepareNext(useApp.getState().spec.tasks, PREPARE_SLOTS_PER_STEP)) {
      if (deadline.timeRemaining() > 2) continue;
      preparing = requestIdleCallback(step, { timeout: 2000 });
      return;
    }
  };
  preparing = requestIdleCallback(step, { timeout: 2000 });
};
session.onFrame((frame) => {
  if (frame.events.some((e) => e.type === 'run-finished')) prepareNext();
});
useApp.subscribe((state, previous) => {
  if (state.spec.tasks !== previous.spec.tasks) prepareNext();
});
prepareNext();
const runtime: Runtime = { api, loop, pump };

void api.info().then((result) => {
  if (result.ok) {
    useApp.getState().setHost(result.value);
    pump.cores = result.value.cores;
  } else useApp.getState().setHostError(result.message);
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <RuntimeContext value={runtime}>
      <ReplayScope>
        <App />
      </ReplayScope>
    </RuntimeContext>
  </StrictMode>,
);
