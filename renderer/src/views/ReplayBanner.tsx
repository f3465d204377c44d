import { Slider } from 'radix-ui';
import { memo, useSyncExternalStore } from 'react';
import { formatDuration } from '../../../shared/format';
import { useIoCommands } from '../io/commands';
import { REPLAY_SPEEDS, replayedWork, type Replay, type ReplaySpeed } from '../io/replay';
import { useApp } from '../store';
import { Segmented, Tip } from './ui';
import '../styles/io.css';

/** The scrubber's resolution: a thousandth of the trace per step. */
const SCRUB_STEPS = 1000;
const SPEEDS = REPLAY_SPEEDS.map(String);
const SPEED_NAMES = Object.fromEntries(SPEEDS.map((s) => [s, `${s}×`]));

/** Under the header: what is being read, or the replay's controls while one plays. */
export const ReplayBanner = memo(function ReplayBanner() {
  const replay = useApp((s) => s.replay);
  const importing = useApp((s) => s.importing);
  const io = useIoCommands();
  if (replay) return <ReplayControls replay={replay} importing={importing} />;
  if (!importing) return null;
  return (
    <div className="replay-banner" data-testid="import-progress">
      <span className="spinner" aria-hidden="true" />
      <p className="replay-title" role="status">
        Reading <strong>{importing}</strong>…
      </p>
      <button type="button" className="btn" onClick={io.cancelImport}>
        Cancel import
      </button>
    </div>
  );
});

function ReplayControls({ replay, importing }: { replay: Replay; importing: string | null }) {
  const { position, playing, speed } = useSyncExternalStore(replay.subscribe, replay.snapshot);
  const leave = useApp((s) => s.leaveReplay);
  const { trace, file, durationMs } = replay;
  const ended = position >= durationMs;
  const step = durationMs > 0 ? Math.round((position / durationMs) * SCRUB_STEPS) : SCRUB_STEPS;

  return (
    <section className="replay-banner" aria-label="Trace replay" data-testid="replay-banner">
      <span className="replay-tag">Replay</span>
      <p className="replay-title" data-testid="replay-status">
        Replaying <strong title={file}>{file}</strong> · {replayedWork(trace)}
        {importing && <span className="replay-reading"> · reading {importing}…</span>}
      </p>
      <div className="replay-transport">
        <Tip content={ended ? 'Play again from the start (Space).' : playing ? 'Pause (Space).' : 'Play (Space).'}>
          <button
            type="button"
            className="btn icon"
            aria-label={playing ? 'Pause replay' : ended ? 'Replay again' : 'Play replay'}
            onClick={() => replay.toggle()}
          >
            <svg viewBox="0 0 16 16" aria-hidden="true">
              {playing ? <path d="M4 3h3v10H4zM9 3h3v10H9z" /> : <path d="M4 2.5v11l9-5.5z" />}
            </svg>
          </button>
        </Tip>
        <Tip content="Play again from the start.">
          <button
            type="button"
            className="btn icon"
            aria-label="Restart replay"
            onClick={() => {
              replay.seek(0);
              replay.play();
            }}
          >
            <svg viewBox="0 0 16 16" aria-hidden="true" className="stroke">
              <path d="M3.5 8a4.5 4.5 0 1 0 1.4-3.3M4.5 2v3h3" />
            </svg>
          </button>
        </Tip>
        <Slider.Root
          className="slider replay-scrubber"
          min={0}
          max={SCRUB_STEPS}
          step={1}
          value={[step]}
          onValueChange={([v]) => replay.seek((v / SCRUB_STEPS) * durationMs)}
        >
          <Slider.Track className="slider-track">
            <Slider.Range className="slider-range" />
          </Slider.Track>
          <Slider.Thumb
            className="slider-thumb"
            aria-label="Replay position"
            aria-valuetext={`${formatDuration(position)} of ${formatDuration(durationMs)}`}
          />
        </Slider.Root>
        <output className="replay-time" data-testid="replay-time">
          {formatDuration(position)} / {formatDuration(durationMs)}
        </output>
      </div>
      <Segmented
        label="Replay speed"
        options={SPEEDS}
        value={String(speed)}
        names={SPEED_NAMES}
        onChange={(s) => replay.setSpeed(Number(s) as ReplaySpeed)}
      />
      <Tip content="Leave the replay and show the live pool again; its runs went on meanwhile.">
        <button type="button" className="btn" onClick={leave}>
          Back to live pool
        </button>
      </Tip>
    </section>
  );
}
