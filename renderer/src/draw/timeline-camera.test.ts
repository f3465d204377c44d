import { describe, expect, it } from 'vitest';
import { TimelineCamera } from './timeline-camera';

describe('TimelineCamera', () => {
  it('fits the whole run, leaving a young run room to grow', () => {
    const camera = new TimelineCamera();
    camera.live = true;
    expect(camera.range(200)).toEqual({ t0: 0, t1: 1000 });
    camera.live = false;
    expect(camera.range(5000).t0).toBe(0);
    expect(camera.range(5000).t1).toBeCloseTo(5150);
  });

  it('zooms around the anchor and stops following when the view leaves the live edge', () => {
    const camera = new TimelineCamera();
    camera.zoom(0.5, 0.5, 10_000);
    const { t0, t1 } = camera.range(10_000);
    expect(camera.mode).toBe('free');
    expect(t1 - t0).toBeCloseTo(5150);
    // The time under the anchor (the middle) stays put.
    expect((t0 + t1) / 2).toBeCloseTo(5150);
    // Free means still: "now" moving on does not move the view.
    expect(camera.range(20_000)).toEqual({ t0, t1 });
  });

  it('keeps following when zoomed at the right edge, and pans back into the past on request', () => {
    const camera = new TimelineCamera();
    camera.live = true;
    camera.zoom(0.25, 1, 8000);
    expect(camera.mode).toBe('follow');
    const span = camera.range(8000).t1 - camera.range(8000).t0;
    expect(camera.range(9000).t1 - camera.range(9000).t0).toBeCloseTo(span);
    expect(camera.range(9000).t1).toBeGreaterThan(9000);
    camera.pan(-1000, 9000);
    expect(camera.mode).toBe('free');
    camera.follow(9000);
    expect(camera.mode).toBe('follow');
  });

  it('never shows time before the run began, however it is panned or zoomed', () => {
    const camera = new TimelineCamera();
    camera.zoom(0.5, 0.5, 2000);
    camera.pan(-5000, 2000);
    expect(camera.range(2000).t0).toBe(0);
    camera.zoom(1.9, 0, 2000);
    expect(camera.range(2000).t0).toBe(0);
    camera.zoom(0.2, 0.05, 2000);
    expect(camera.range(2000).t0).toBeGreaterThanOrEqual(0);
    // Following with a span longer than the run so far starts at 0 too.
    const following = new TimelineCamera();
    following.live = true;
    following.zoom(0.5, 1, 10_000);
    expect(following.mode).toBe('follow');
    expect(following.range(1000).t0).toBe(0);
  });
});
