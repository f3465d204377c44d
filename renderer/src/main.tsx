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
import { ReplayScope } from './views/ReplayScope';

const api = connectApi();
const loop = new DrawLoop();
const pump = new Pump(loop, (snapshot) => useApp.getState().publishLive(snapshot));
pump.connect(api, (message) => useApp.getState().setHostError(message));
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
