import { useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { duration } from '../../lib/format.ts';
import type { Step } from '../../lib/types.ts';

const ROW = 30;

/** Steps slower than three times the median (and over a second) are marked slow. */
export function slowThreshold(steps: Step[]): number {
  const durations = steps.map((s) => s.duration_ms).filter((d): d is number => d !== null).sort((a, b) => a - b);
  if (durations.length < 3) return Infinity;
  return Math.max(1000, durations[Math.floor(durations.length / 2)]! * 3);
}

/** A bar per step on the run's time axis: offset from the run's start, width its duration. */
export function StepTimeline({ steps, runStart, now }: { steps: Step[]; runStart: string | null; now: number }) {
  const scroller = useRef<HTMLDivElement>(null);
  const start = runStart ? Date.parse(runStart) : steps.length ? Date.parse(steps[0]!.started_at) : now;
  const end = Math.max(start + 1, ...steps.map((s) => Date.parse(s.started_at) + (s.duration_ms ?? 0)));
  const span = end - start;
  const slow = slowThreshold(steps);
  const virtualizer = useVirtualizer({ count: steps.length, getScrollElement: () => scroller.current, estimateSize: () => ROW, overscan: 15 });
  return (
    <div className="steps">
      <div className="steps-head" aria-hidden="true"><span>Step</span><span>0</span><span>{duration(span)}</span></div>
      <div ref={scroller} className="steps-scroll" role="list" aria-label={`${steps.length} steps`}>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((row) => {
            const s = steps[row.index]!;
            const offset = ((Date.parse(s.started_at) - start) / span) * 100;
            const width = Math.max(0.4, ((s.duration_ms ?? 0) / span) * 100);
            const isSlow = (s.duration_ms ?? 0) >= slow;
            const failed = s.status === 'failed' || s.outcome_category === 'error';
            const name = s.skill_name ?? s.skill_id ?? s.kind;
            return (
              <div key={row.key} role="listitem" className="step-row" style={{ transform: `translateY(${row.start}px)` }}
                title={`#${s.step_index} ${name}: ${duration(s.duration_ms)}${s.retry_count ? `, retried ${s.retry_count}×` : ''}${isSlow ? ', slow' : ''}`}>
                <span className="step-name"><span className="muted num">{s.step_index}</span> {name}
                  {s.retry_count > 0 && <span className="chip chip-warn">↻ {s.retry_count}×</span>}
                  {isSlow && <span className="chip chip-warn">slow</span>}
                  {failed && <span className="chip chip-bad">✕ {s.outcome_code ?? 'failed'}</span>}
                </span>
                <span className="step-track">
                  <span className={`step-bar${failed ? ' bad' : isSlow ? ' warn' : ''}`} style={{ marginLeft: `${Math.min(99.6, offset)}%`, width: `${Math.min(width, 100 - Math.min(99.6, offset))}%` }} />
                </span>
                <span className="step-dur num">{duration(s.duration_ms)}</span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
