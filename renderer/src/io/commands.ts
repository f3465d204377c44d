/**
 * Export and import as commands: the header's menu, the keyboard and the
 * desktop app's menu all call these. Exports read whatever the views show —
 * the live pool's run, or the replay.
 */
import { formatDuration } from '../../../shared/format';
import { tasksCsvText } from '../../../shared/csv';
import type { TaskStore } from '../../../shared/task-store';
import { chromeTraceText } from '../../../shared/trace';
import { useRuntime, type Runtime } from '../app/runtime';
import type { Pump } from '../pump';
import { useApp } from '../store';
import { download } from './download';
import { parseInWorker, refuseBySize } from './import-trace';
import { Replay, replayedWork } from './replay';
import { viewPng, type PngCaption } from './view-png';

export interface IoCommands {
  /** Each resolves once the file is handed to the browser. */
  exportTrace(): Promise<void>;
  exportCsv(): Promise<void>;
  exportPng(): void;
  /** Opens the file picker (or, without a user gesture to open it, the menu that can). */
  pickTrace(): void;
  importFile(file: File): Promise<void>;
  /** Stops reading the file being imported. */
  cancelImport(): void;
}

const notifyError = (title: string, message: string) => useApp.getState().notify({ tone: 'error', title, message });

/** A file's pieces, one per macrotask: a 10⁶-task export takes a second or two, and the page keeps drawing meanwhile. */
async function inPieces(pieces: Iterable<string>): Promise<string[]> {
  const taken: string[] = [];
  for (const piece of pieces) {
    taken.push(piece);
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return taken;
}

/** The pump whose store the views show. */
function shownPump(runtime: Runtime): Pump {
  return useApp.getState().replay?.pump ?? runtime.pump;
}

function baseName(store: TaskStore): string {
  const replay = useApp.getState().replay;
  if (replay) return `${replay.file.replace(/(\.trace)?\.json$/i, '')}-replay`;
  const runId = store.run?.runId;
  const number = useApp.getState().history.find((e) => e.runId === runId)?.number;
  return `poolscope-run-${number ?? runId ?? 0}`;
}

function caption(store: TaskStore): PngCaption {
  const replay = useApp.getState().replay;
  if (replay) {
    return {
      title: `Poolscope · replay of ${replay.file}`,
      detail: `${replayedWork(replay.trace)} · at ${formatDuration(replay.snapshot().position)}`,
    };
  }
  const run = store.run;
  const spec = run?.run.spec;
  const what = spec ? `${spec.backend} pool of ${spec.poolSize} · ${spec.mode}` : run?.run.source;
  return {
    title: `Poolscope · ${run?.run.title ?? 'no run'}`,
    detail: run ? `${run.run.title} · ${what} · ${run.status} · ${new Date().toLocaleString()}` : '',
  };
}

/** The import under way: one at a time for the page. */
let importController: AbortController | null = null;
let input: HTMLInputElement | null = null;
let onPicked: (file: File) => void = () => {};

/** One hidden file input for the page, handing what is picked to whoever opened it last. */
function fileInput(then: (file: File) => void): HTMLInputElement {
  onPicked = then;
  if (input) return input;
  const element = document.createElement('input');
  element.type = 'file';
  element.accept = '.json,application/json';
  element.hidden = true;
  element.dataset.testid = 'trace-file-input';
  element.setAttribute('aria-label', 'Trace file to import');
  element.addEventListener('change', () => {
    const file = element.files?.[0];
    // Cleared, so that picking the same file again is a change too.
    element.value = '';
    if (file) onPicked(file);
  });
  document.body.append(element);
  input = element;
  return element;
}

const created = new WeakMap<Runtime, IoCommands>();

export function ioCommands(runtime: Runtime): IoCommands {
  const existing = created.get(runtime);
  if (existing) return existing;

  /** The store to export, or null (and the user told why) when there is nothing yet. */
  const exportable = (what: string): TaskStore | null => {
    const store = shownPump(runtime).store;
    if (store.run) return store;
    notifyError(`Nothing to export as ${what}`, 'Run a workload (or import a trace) first.');
    return null;
  };

  const commands: IoCommands = {
    async exportTrace() {
      const store = exportable('a trace');
      if (!store) return;
      download(
        new Blob(await inPieces(chromeTraceText(store)), { type: 'application/json' }),
        `${baseName(store)}.trace.json`,
      );
    },
    async exportCsv() {
      const store = exportable('CSV');
      if (!store) return;
      download(new Blob(await inPieces(tasksCsvText(store)), { type: 'text/csv' }), `${baseName(store)}.csv`);
    },
    exportPng() {
      const store = exportable('an image');
      if (!store) return;
      const root = document.querySelector<HTMLElement>('main') ?? document.body;
      viewPng(root, caption(store)).then(
        (blob) => download(blob, `${baseName(store)}.png`),
        (error: unknown) => notifyError('Could not export the image', String(error)),
      );
    },
    pickTrace() {
      const { importing, setFileMenuOpen } = useApp.getState();
      if (importing) return;
      // A file picker needs a user gesture; a click in the desktop app's own menu does not count as one here.
      if (navigator.userActivation && !navigator.userActivation.isActive) setFileMenuOpen(true);
      else fileInput(commands.importFile).click();
    },
    async importFile(file) {
      const state = useApp.getState();
      const refused = refuseBySize(file);
      if (refused) {
        notifyError('Trace too large', refused);
        return;
      }
      if (importController) return;
      const controller = (importController = new AbortController());
      state.setImporting(file.name);
      const result = await parseInWorker(file, controller.signal);
      importController = null;
      useApp.getState().setImporting(null);
      if (!result.ok) {
        if (!controller.signal.aborted) notifyError(`Could not import ${file.name}`, result.message);
        return;
      }
      const replay: Replay = new Replay(result.trace, file.name, runtime.loop, (snapshot) => {
        // A replay left behind may still have a publish pending.
        if (useApp.getState().replay === replay) useApp.getState().publishRun(snapshot);
      });
      useApp.getState().enterReplay(replay);
      // The replay shows in the live view's panels.
      useApp.getState().setView('live');
    },
    cancelImport() {
      importController?.abort();
    },
  };
  created.set(runtime, commands);
  return commands;
}

export function useIoCommands(): IoCommands {
  return ioCommands(useRuntime());
}
