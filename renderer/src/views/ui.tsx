/** Small shared controls: labelled sliders, segmented choices, info tooltips. */
import { Popover, RadioGroup, Slider, Tooltip } from 'radix-ui';
import { useId, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { nearestPosition } from './pool-scale';
import { numberProblem, parseNumber } from './validate';

/**
 * The `?` beside a control: a toggletip. Hovering shows it as a tooltip would,
 * but a click pins it open (and a second click closes it) — touch screens have
 * no hover — and keyboard focus opens it too. Escape or a click elsewhere closes it.
 */
export function InfoTip({ label, children }: { label: string; children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const pinned = useRef(false);
  const show = (next: boolean) => {
    if (!next) pinned.current = false;
    setOpen(next);
  };
  return (
    <Popover.Root open={open} onOpenChange={show}>
      <Popover.Trigger asChild>
        <button
          type="button"
          className="info"
          aria-label={`About ${label.toLowerCase()}`}
          onPointerEnter={(e) => e.pointerType === 'mouse' && setOpen(true)}
          onPointerLeave={(e) => e.pointerType === 'mouse' && !pinned.current && setOpen(false)}
          onFocus={() => setOpen(true)}
          onBlur={() => !pinned.current && setOpen(false)}
          onClick={(e) => {
            // Our own toggle, not the popover's: the press that focused (and so opened) it pins it instead of closing it.
            e.preventDefault();
            const pin = !pinned.current;
            pinned.current = pin;
            setOpen(pin);
          }}
        >
          ?
        </button>
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content
          className="tooltip"
          role="tooltip"
          side="right"
          sideOffset={8}
          collisionPadding={12}
          // Focus stays on the `?`, so Tab goes on through the form.
          onOpenAutoFocus={(e) => e.preventDefault()}
          onCloseAutoFocus={(e) => e.preventDefault()}
        >
          {children}
          <Popover.Arrow className="tooltip-arrow" />
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}

/** Wraps anything in a hover/focus tooltip (for buttons and disabled choices). */
export function Tip({
  content,
  children,
  side = 'top',
}: {
  content: ReactNode;
  children: ReactNode;
  side?: 'top' | 'right' | 'bottom' | 'left';
}) {
  return (
    <Tooltip.Root>
      <Tooltip.Trigger asChild>{children}</Tooltip.Trigger>
      <Tooltip.Portal>
        <Tooltip.Content className="tooltip" side={side} sideOffset={6} collisionPadding={12}>
          {content}
          <Tooltip.Arrow className="tooltip-arrow" />
        </Tooltip.Content>
      </Tooltip.Portal>
    </Tooltip.Root>
  );
}

interface FieldProps {
  label: string;
  tip: ReactNode;
  /** Shown at the right of the label row: the current value, formatted. */
  value?: ReactNode;
  hint?: ReactNode;
  disabled?: boolean;
  children: ReactNode;
  htmlFor?: string;
  id?: string;
}

export function Field({ label, tip, value, hint, disabled, children, htmlFor, id }: FieldProps) {
  return (
    <div className={`field${disabled ? ' disabled' : ''}`}>
      <div className="field-head">
        {htmlFor ? (
          <label htmlFor={htmlFor} id={id}>
            {label}
          </label>
        ) : (
          <span className="label" id={id}>
            {label}
          </span>
        )}
        <InfoTip label={label}>{tip}</InfoTip>
        {typeof value === 'string' ? (
          <output className="field-value">{value}</output>
        ) : (
          value !== undefined && <span className="field-value">{value}</span>
        )}
      </div>
      {children}
      {hint && <p className="field-hint">{hint}</p>}
    </div>
  );
}

interface StepSliderProps {
  label: string;
  /** The values the thumb steps through, ascending. */
  stops: readonly number[];
  value: number;
  onChange: (value: number) => void;
  format: (value: number) => string;
  disabled?: boolean;
  /** Where each stop sits on the track, 0…1 ascending; evenly spaced by default. */
  positions?: readonly number[];
  /** Marks drawn under the track, at values. */
  marks?: { value: number; label: string }[];
}

/** The track's resolution: positions are thousandths of its length. */
const TRACK = 1000;
const evenly = (n: number) => Array.from({ length: n }, (_, i) => i / Math.max(1, n - 1));

/**
 * A slider over a list of values (linear, log or "1-2-5"), so one track covers
 * 1 … 1,000,000 and still lands on round numbers. Arrow keys step one stop,
 * Page keys a tenth of them; the accessible value is the real value.
 */
export function StepSlider({ label, stops, value, onChange, format, disabled, positions, marks }: StepSliderProps) {
  const at = positions ?? evenly(stops.length);
  const index = nearestStop(stops, value);
  const go = (i: number) => {
    const next = stops[Math.max(0, Math.min(stops.length - 1, i))];
    if (next !== value) onChange(next);
  };
  const page = Math.max(1, Math.round(stops.length / 10));
  const keys: Record<string, number> = {
    ArrowRight: index + 1,
    ArrowUp: index + 1,
    ArrowLeft: index - 1,
    ArrowDown: index - 1,
    PageUp: index + page,
    PageDown: index - page,
    Home: 0,
    End: stops.length - 1,
  };
  return (
    <div className="slider-wrap">
      <Slider.Root
        className="slider"
        min={0}
        max={TRACK}
        step={1}
        value={[Math.round(at[index] * TRACK)]}
        disabled={disabled}
        onValueChange={([v]) => go(nearestPosition(at, v / TRACK))}
        // Stops, not thousandths of the track: the slider's own key handling is skipped.
        onKeyDown={(e) => {
          if (!(e.key in keys)) return;
          e.preventDefault();
          go(keys[e.key]);
        }}
      >
        <Slider.Track className="slider-track">
          <Slider.Range className="slider-range" />
        </Slider.Track>
        <Slider.Thumb
          className="slider-thumb"
          aria-label={label}
          aria-valuenow={value}
          aria-valuemin={stops[0]}
          aria-valuemax={stops[stops.length - 1]}
          aria-valuetext={format(value)}
        />
      </Slider.Root>
      {marks?.map((mark) => {
        const p = at[nearestStop(stops, mark.value)];
        return (
          <span
            key={mark.label}
            className={`slider-mark${p < 0.12 ? ' start' : p > 0.88 ? ' end' : ''}`}
            data-testid="slider-mark"
            style={{ left: `calc(8px + (100% - 16px) * ${p})` }}
            aria-hidden="true"
          >
            {mark.label}
          </span>
        );
      })}
    </div>
  );
}

export function nearestStop(stops: readonly number[], value: number): number {
  let best = 0;
  for (let i = 1; i < stops.length; i++) if (Math.abs(stops[i] - value) < Math.abs(stops[best] - value)) best = i;
  return best;
}

interface NumberInputProps {
  label: string;
  value: number;
  min: number;
  max: number;
  onChange: (value: number) => void;
  /** Hears what is wrong with the text shown (null once it is a valid value), so the form can block its action. */
  onProblem?: (problem: string | null) => void;
  disabled?: boolean;
  integer?: boolean;
  suffix?: string;
  id?: string;
}

/**
 * A numeric box that commits on Enter or blur, and says what is wrong instead
 * of clamping silently. While it shows something it would refuse, `onProblem`
 * knows, so the action that would use the box can refuse too and say why.
 */
export function NumberInput({
  label,
  value,
  min,
  max,
  onChange,
  onProblem,
  disabled,
  integer = true,
  suffix,
  id,
}: NumberInputProps) {
  const [text, setText] = useState(String(value));
  const [committed, setCommitted] = useState(false);
  const errorId = useId();
  // A new value from outside (the slider) replaces whatever was typed.
  const [shown, setShown] = useState(value);
  if (shown !== value) {
    setShown(value);
    setText(String(value));
    setCommitted(false);
  }
  // A disabled box is not used, so what it shows blocks nothing.
  const problem = disabled ? null : numberProblem(text, { min, max, integer });
  // Layout effect: reported before the next key or click is handled, so Ctrl+Enter right after typing is refused.
  useLayoutEffect(() => onProblem?.(problem), [onProblem, problem]);
  useLayoutEffect(() => () => onProblem?.(null), [onProblem]);
  const commit = () => {
    setCommitted(true);
    if (problem !== null) return;
    const n = parseNumber(text);
    if (n !== value) onChange(n);
  };
  const error = committed ? problem : null;
  return (
    <span className="number-input">
      <input
        id={id}
        type="text"
        inputMode="numeric"
        role="spinbutton"
        aria-valuenow={value}
        aria-valuemin={min}
        aria-valuemax={max}
        aria-label={label}
        aria-invalid={problem !== null}
        aria-describedby={error ? errorId : undefined}
        disabled={disabled}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
          if (e.key === 'Escape') {
            setText(String(value));
            setCommitted(false);
          }
        }}
      />
      {suffix && <span className="suffix">{suffix}</span>}
      {error && (
        <span className="input-error" id={errorId} role="alert">
          {error}
        </span>
      )}
    </span>
  );
}

interface SegmentedProps<T extends string> {
  label: string;
  options: readonly T[];
  value: T;
  onChange: (value: T) => void;
  disabled?: boolean;
  names?: Partial<Record<T, string>>;
  /** Two columns instead of one row, for long option names. */
  grid?: boolean;
}

export function Segmented<T extends string>({
  label,
  options,
  value,
  onChange,
  disabled,
  names,
  grid,
}: SegmentedProps<T>) {
  return (
    <RadioGroup.Root
      className={`segmented${grid ? ' grid' : ''}`}
      aria-label={label}
      value={value}
      onValueChange={(v) => onChange(v as T)}
      disabled={disabled}
      orientation="horizontal"
      loop
    >
      {options.map((option) => (
        <RadioGroup.Item key={option} value={option} className="segment">
          {names?.[option] ?? option}
        </RadioGroup.Item>
      ))}
    </RadioGroup.Root>
  );
}
