import { DropdownMenu, Tooltip } from 'radix-ui';
import { memo, type ReactNode } from 'react';
import { useIoCommands } from '../io/commands';
import { useApp } from '../store';
import '../styles/io.css';

/** How the platform writes the shortcut modifier. */
const MOD = /Mac|iPhone|iPad/.test(navigator.userAgent) ? '⌘' : 'Ctrl+';

const NOTHING_YET = 'Nothing to export yet: run a workload or import a trace first.';

/**
 * Export and import in the page: the desktop app's File menu sends the same
 * actions, but the browser host has no menu, so this one is always here.
 */
export const FileMenu = memo(function FileMenu() {
  const io = useIoCommands();
  const open = useApp((s) => s.fileMenuOpen);
  const setOpen = useApp((s) => s.setFileMenuOpen);
  const runId = useApp((s) => s.run.runId);
  // Runs are called by this page's numbers ("run 1"), not the host's ids.
  const runNumber = useApp((s) => s.history.find((e) => e.runId === s.run.runId)?.number ?? null);
  const replayFile = useApp((s) => s.replay?.file ?? null);
  const importing = useApp((s) => s.importing);
  const source = replayFile
    ? `the replay of ${replayFile}`
    : runId !== null
      ? runNumber !== null
        ? `run ${runNumber}`
        : 'the current run'
      : null;

  return (
    <DropdownMenu.Root open={open} onOpenChange={setOpen}>
      <DropdownMenu.Trigger asChild>
        <button type="button" className="btn small file-trigger">
          Export / Import
          <svg viewBox="0 0 16 16" aria-hidden="true" className="chevron">
            <path d="M4 6l4 4 4-4" />
          </svg>
        </button>
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content className="menu file-menu" sideOffset={6} align="end">
          <DropdownMenu.Label className="menu-label">{source ? `Export ${source}` : 'Export'}</DropdownMenu.Label>
          <ExportItem
            title="Trace (Chrome JSON)"
            detail="Every task as a slice; opens in Perfetto."
            shortcut={`${MOD}E`}
            enabled={source !== null}
            onSelect={io.exportTrace}
          />
          <ExportItem
            title="Tasks as CSV"
            detail="One row per task: worker, pid, state, times, result."
            enabled={source !== null}
            onSelect={io.exportCsv}
          />
          <ExportItem
            title="View as PNG"
            detail="The pool view and timeline as they are now."
            enabled={source !== null}
            onSelect={io.exportPng}
          />
          <DropdownMenu.Separator className="menu-separator" />
          <DropdownMenu.Item className="menu-item with-key" disabled={importing !== null} onSelect={io.pickTrace}>
            <strong>{importing ? `Reading ${importing}…` : 'Import trace…'}</strong>
            <span>Poolscope's own or any Chrome trace with X or B/E events, replayed here.</span>
            <kbd>{MOD}O</kbd>
          </DropdownMenu.Item>
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
});

interface ExportItemProps {
  title: string;
  detail: string;
  shortcut?: string;
  enabled: boolean;
  onSelect: () => void;
}

function ExportItem({ title, detail, shortcut, enabled, onSelect }: ExportItemProps) {
  const item: ReactNode = (
    <DropdownMenu.Item className="menu-item with-key" disabled={!enabled} onSelect={onSelect}>
      <strong>{title}</strong>
      <span>{detail}</span>
      {shortcut && <kbd>{shortcut}</kbd>}
    </DropdownMenu.Item>
  );
  if (enabled) return item;
  // Disabled items still take the pointer, so they can say why: beside the menu, gone as the pointer moves on.
  return (
    <Tooltip.Root disableHoverableContent>
      <Tooltip.Trigger asChild>{item}</Tooltip.Trigger>
      <Tooltip.Portal>
        <Tooltip.Content className="tooltip" side="left" sideOffset={8} collisionPadding={12}>
          {NOTHING_YET}
          <Tooltip.Arrow className="tooltip-arrow" />
        </Tooltip.Content>
      </Tooltip.Portal>
    </Tooltip.Root>
  );
}
