import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryAlarmStore } from './memory-store.ts';
import { AlarmEngine } from './rules.ts';
import { AlarmNotFoundError, AlarmStateError, type EdgeWindowEvent, type Transition } from './types.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 29, 0, 0, 0);
const dev = { orgId: 'org-a', deviceId: 'dev-1', machineId: 'm-1' };

let store: MemoryAlarmStore;
let engine: AlarmEngine;
beforeEach(() => {
  store = new MemoryAlarmStore();
  engine = new AlarmEngine(store, {
    rules: {
      openAfterWindows: 3,
      clearAfterNormalMs: 10 * MIN,
      cooldownMs: 30 * MIN,
      criticalRatio: 1.5,
      criticalAfterMs: 30 * MIN,
    },
  });
});

const w = (
  minute: number,
  score: number,
  state: EdgeWindowEvent['state'] = score >= 0.5 ? 'alarm' : 'normal',
): EdgeWindowEvent => ({
  ...dev,
  t: T0 + minute * MIN,
  score,
  state,
  threshold: 0.5,
});
const kinds = (ts: Transition[]) => ts.map((t) => t.kind);

describe('edge windows', () => {
  it('opens only after N consecutive over-threshold windows; a normal window resets the count', async () => {
    expect(await engine.onEdgeWindows([w(0, 0.6), w(1, 0.6), w(2, 0.1), w(3, 0.6), w(4, 0.6)])).toEqual([]);
    const [t] = await engine.onEdgeWindow(w(5, 0.7));
    expect(t.kind).toBe('opened');
    expect(t.notify).toBe(true);
    expect(t.alarm).toMatchObject({ type: 'edge-anomaly', severity: 'warning', status: 'active', acknowledged: false });
    expect(t.alarm.openedAt).toBe(T0 + 3 * MIN); // when the run started, not when it was confirmed
    expect(t.alarm.detail).toMatchObject({ threshold: 0.5, peakScore: 0.7, windowsOver: 3 });
    expect(await store.findActive('dev-1', 'edge-anomaly')).toMatchObject({ id: t.alarm.id });
    expect((await store.events(t.alarm.id)).map((e) => e.kind)).toEqual(['opened']);
  });

  it("counts the device's own 'alarm' state even below the threshold, and ignores learning windows", async () => {
    await engine.onEdgeWindows([w(0, 0.45, 'alarm'), w(1, 0.9, 'learning'), w(2, 0.45, 'alarm')]);
    expect(kinds(await engine.onEdgeWindow(w(3, 0.4, 'alarm')))).toEqual(['opened']);
  });

  it('does not open while the device is only watching', async () => {
    expect(
      await engine.onEdgeWindows([w(0, 0.45, 'watch'), w(1, 0.48, 'watch'), w(2, 0.49, 'watch'), w(3, 0.49, 'watch')]),
    ).toEqual([]);
  });

  it('opens critical when the opening run is far over threshold', async () => {
    const ts = await engine.onEdgeWindows([w(0, 0.8), w(1, 0.9), w(2, 1.0)]);
    expect(ts[0].alarm.severity).toBe('critical');
  });

  it('escalates to critical when far over for N windows, or over for criticalAfterMs', async () => {
    await engine.onEdgeWindows([w(0, 0.6), w(1, 0.6), w(2, 0.6)]);
    expect(await engine.onEdgeWindows([w(3, 0.8), w(4, 0.8)])).toEqual([]);
    const [t] = await engine.onEdgeWindow(w(5, 0.8));
    expect(t).toMatchObject({ kind: 'escalated', notify: true });
    expect(t.previous!.severity).toBe('warning');
    expect(t.alarm.severity).toBe('critical');
    expect(t.alarm.detail.peakScore).toBe(0.8);

    // duration path, on another device
    const d2 = (m: number, s: number): EdgeWindowEvent => ({ ...w(m, s), deviceId: 'dev-2' });
    await engine.onEdgeWindows([d2(0, 0.6), d2(1, 0.6), d2(2, 0.6)]);
    expect(await engine.onEdgeWindow(d2(29, 0.6))).toEqual([]);
    expect(kinds(await engine.onEdgeWindow(d2(30, 0.6)))).toEqual(['escalated']);
  });

  it('auto-clears after M minutes of normal windows; watch holds it; it stays unacknowledged', async () => {
    const [open] = await engine.onEdgeWindows([w(0, 0.6), w(1, 0.6), w(2, 0.6)]);
    expect(await engine.onEdgeWindows([w(3, 0.1), w(9, 0.1), w(12, 0.45, 'watch'), w(13, 0.1), w(22, 0.1)])).toEqual([]);
    const [t] = await engine.onEdgeWindow(w(23, 0.1));
    expect(t).toMatchObject({ kind: 'cleared', notify: true });
    expect(t.alarm).toMatchObject({
      id: open.alarm.id,
      status: 'cleared',
      acknowledged: false,
      clearedAt: T0 + 23 * MIN,
      clearedBy: null,
    });
    expect(t.alarm.cooldownUntil).toBe(T0 + 53 * MIN);
    expect(t.alarm.detail.clearReason).toBe('auto');
    expect((await store.list({ orgId: 'org-a', filter: 'open' })).map((a) => a.id)).toEqual([open.alarm.id]);
  });

  it('within the cooldown a new run re-activates the same alarm silently; after it, a new alarm opens', async () => {
    const [open] = await engine.onEdgeWindows([w(0, 0.6), w(1, 0.6), w(2, 0.6)]);
    await engine.onEdgeWindows([w(3, 0.1), w(13, 0.1)]); // cleared at 13, cooldown to 43
    const [re] = await engine.onEdgeWindows([w(20, 0.6), w(21, 0.6), w(22, 0.6)]);
    expect(re).toMatchObject({ kind: 'reopened', notify: false });
    expect(re.alarm).toMatchObject({ id: open.alarm.id, status: 'active', clearedAt: null, cooldownUntil: null });
    expect(re.alarm.detail.clearReason).toBeUndefined();
    // flap again: clear at 33, cooldown until 63
    await engine.onEdgeWindows([w(23, 0.1), w(33, 0.1)]);
    // back far over within the cooldown: re-activates, and tells people because it is worse than before
    const [worse] = await engine.onEdgeWindows([w(40, 0.9), w(41, 0.9), w(42, 0.9)]);
    expect(worse).toMatchObject({ kind: 'reopened', notify: true });
    expect(worse.alarm.severity).toBe('critical');
    await engine.onEdgeWindows([w(43, 0.1), w(53, 0.1)]); // cleared at 53, cooldown to 83
    const [fresh] = await engine.onEdgeWindows([w(90, 0.6), w(91, 0.6), w(92, 0.6)]);
    expect(fresh.kind).toBe('opened');
    expect(fresh.alarm.id).not.toBe(open.alarm.id);
  });

  it('ignores windows older than what it already saw (late replays)', async () => {
    await engine.onEdgeWindows([w(10, 0.6), w(11, 0.6), w(12, 0.6)]);
    expect(await engine.onEdgeWindows([w(1, 0.1), w(2, 0.1)])).toEqual([]);
    expect((await store.findActive('dev-1', 'edge-anomaly'))!.lastEventAt).toBe(T0 + 12 * MIN);
  });

  it('serialises concurrent calls for one device: one alarm, not three', async () => {
    const all = await Promise.all([w(0, 0.6), w(1, 0.6), w(2, 0.6), w(3, 0.6), w(4, 0.6)].map((e) => engine.onEdgeWindow(e)));
    expect(kinds(all.flat())).toEqual(['opened']);
    expect(await store.list({ orgId: 'org-a' })).toHaveLength(1);
  });

  it('gives the same result whether windows arrive one by one or in batches', async () => {
    // A seeded walk through normal, watch, over and far-over windows, with a data-loss gap in the middle.
    let seed = 42;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const seq: EdgeWindowEvent[] = [];
    let level = 0.2;
    for (let i = 0; i < 600; i++) {
      if (rnd() < 0.05) level = [0.1, 0.2, 0.45, 0.6, 0.9][Math.floor(rnd() * 5)];
      const score = Math.max(0, level + (rnd() - 0.5) * 0.1);
      const state = rnd() < 0.02 ? 'learning' : score >= 0.5 ? 'alarm' : score >= 0.4 ? 'watch' : 'normal';
      seq.push({ ...w(i, score), state });
    }
    const runOne = async (batched: boolean) => {
      const st = new MemoryAlarmStore();
      let n = 0;
      const eng = new AlarmEngine(st, { rules: { openAfterWindows: 3, clearAfterNormalMs: 10 * MIN }, newId: () => `id-${++n}` });
      const out: Transition[] = [];
      let i = 0;
      while (i < seq.length) {
        if (i === 300) out.push(...(await eng.onDataLoss({ ...dev, t: seq[i].t, bootId: 'b', fromSeq: 1, toSeq: 4 })));
        const size = batched ? 1 + Math.floor(rnd() * 40) : 1;
        const chunk = seq.slice(i, i < 300 ? Math.min(i + size, 300) : i + size);
        out.push(...(await eng.onEdgeWindows(chunk)));
        i += chunk.length;
      }
      return { kinds: out.map((t) => `${t.kind}@${t.event.at}:${t.alarm.severity}`), alarms: await st.list({ orgId: 'org-a' }) };
    };
    const single = await runOne(false);
    const batched = await runOne(true);
    expect(single.kinds.length).toBeGreaterThan(6); // the walk really opens, escalates and clears alarms
    expect(new Set(single.kinds.map((k) => k.split('@')[0]))).toEqual(new Set(['opened', 'escalated', 'cleared', 'reopened']));
    expect(batched.kinds).toEqual(single.kinds);
    expect(batched.alarms).toEqual(single.alarms);
  });

  it('rejects nonsense input with a RangeError', async () => {
    expect(() => engine.onEdgeWindow({ ...w(0, 0.5), score: Number.NaN })).toThrow(RangeError);
    expect(() => engine.onEdgeWindow({ ...w(0, 0.5), threshold: 0 })).toThrow(/threshold/);
    expect(() => engine.onEdgeWindow({ ...w(0, 0.5), t: -1 })).toThrow(/epoch/);
    expect(() => new AlarmEngine(store, { rules: { openAfterWindows: 0 } })).toThrow(/openAfterWindows/);
    expect(() => new AlarmEngine(store, { rules: { cooldownMs: Number.NaN } })).toThrow(/cooldownMs/);
  });
});

describe('cloud verdicts', () => {
  const cv = (
    minute: number,
    state: 'normal' | 'borderline' | 'anomalous',
    score: number,
    fault = { type: 'bearing', confidence: 0.7 },
  ) => ({
    ...dev,
    t: T0 + minute * MIN,
    clipId: `clip-${minute}`,
    score,
    state,
    fault: state === 'anomalous' ? fault : null,
    version: 'ens-1',
  });

  it('escalates an active edge alarm to critical and names the fault', async () => {
    await engine.onEdgeWindows([w(0, 0.6), w(1, 0.6), w(2, 0.6)]);
    const [t] = await engine.onCloudVerdict(cv(3, 'anomalous', 1.2));
    expect(t).toMatchObject({ kind: 'escalated', notify: true });
    expect(t.alarm).toMatchObject({ type: 'edge-anomaly', severity: 'critical' });
    expect(t.alarm.detail).toMatchObject({ fault: { type: 'bearing', confidence: 0.7 }, cloudScore: 1.2, clipId: 'clip-3' });
    // a second confirmation only updates the facts
    const [u] = await engine.onCloudVerdict(cv(4, 'anomalous', 1.3, { type: 'valve-leak', confidence: 0.6 }));
    expect(u).toMatchObject({ kind: 'updated', notify: false });
    expect(u.alarm.detail.fault!.type).toBe('valve-leak');
  });

  it("opens a cloud-anomaly alarm when the edge hadn't alarmed, and a normal verdict clears it", async () => {
    expect(await engine.onCloudVerdict(cv(0, 'borderline', 0.9))).toEqual([]);
    const [o] = await engine.onCloudVerdict(cv(1, 'anomalous', 1.1, { type: 'slugging', confidence: 0.55 }));
    expect(o.kind).toBe('opened');
    expect(o.alarm).toMatchObject({ type: 'cloud-anomaly', severity: 'warning' });
    expect(o.alarm.detail.fault).toEqual({ type: 'slugging', confidence: 0.55 });
    const [e] = await engine.onCloudVerdict(cv(2, 'anomalous', 2.0));
    expect(e).toMatchObject({ kind: 'escalated' });
    expect(e.alarm.severity).toBe('critical');
    const [c] = await engine.onCloudVerdict(cv(3, 'normal', 0.3));
    expect(c.kind).toBe('cleared');
    expect(c.alarm.detail.clearReason).toBe('cloud-normal');
    expect(await engine.onCloudVerdict(cv(4, 'normal', 0.3))).toEqual([]);
  });
});

describe('offline and data loss', () => {
  const st = (minute: number, status: 'online' | 'offline', lastSeenMinute: number | null) => ({
    ...dev,
    t: T0 + minute * MIN,
    status,
    lastSeenAt: lastSeenMinute === null ? null : T0 + lastSeenMinute * MIN,
  });

  it('opens on offline, escalates on a later sweep once silent long enough, clears when heard from', async () => {
    const [o] = await engine.onDeviceStatus(st(10, 'offline', 0));
    expect(o.alarm).toMatchObject({ type: 'offline', severity: 'warning' });
    expect(o.alarm.detail.lastSeenAt).toBe(T0);
    expect(await engine.onDeviceStatus(st(60, 'offline', 0))).toEqual([]);
    const [e] = await engine.onDeviceStatus(st(6 * 60, 'offline', 0));
    expect(e).toMatchObject({ kind: 'escalated', notify: true });
    expect(e.alarm.severity).toBe('critical');
    const [c] = await engine.onDeviceStatus(st(6 * 60 + 1, 'online', 6 * 60 + 1));
    expect(c.kind).toBe('cleared');
    expect(c.alarm.detail.clearReason).toBe('online');
    expect(await engine.onDeviceStatus(st(6 * 60 + 2, 'online', 6 * 60 + 2))).toEqual([]);
  });

  it('accumulates data loss, escalates past the warning count, and clears once data flows again', async () => {
    const loss = (minute: number, fromSeq: number, toSeq: number) => ({
      ...dev,
      t: T0 + minute * MIN,
      bootId: 'a1b2c3d4',
      fromSeq,
      toSeq,
    });
    const [o] = await engine.onDataLoss(loss(0, 5, 6));
    expect(o.alarm).toMatchObject({ type: 'data-loss', severity: 'info' });
    const [u] = await engine.onDataLoss(loss(1, 10, 12));
    expect(u.kind).toBe('updated');
    expect(u.alarm.detail.lostCount).toBe(5);
    const [e] = await engine.onDataLoss(loss(2, 20, 24));
    expect(e.kind).toBe('escalated');
    expect(e.alarm).toMatchObject({ severity: 'warning' });
    expect(e.alarm.detail.lostRanges).toHaveLength(3);
    expect(await engine.onEdgeWindow(w(30, 0.1))).toEqual([]);
    const [c] = await engine.onEdgeWindow(w(62, 0.1));
    expect(c).toMatchObject({ kind: 'cleared', notify: false });
    expect(() => engine.onDataLoss(loss(3, 9, 8))).toThrow(RangeError);
    expect(() => engine.onDataLoss(loss(3, 0, 8))).toThrow(RangeError);
  });
});

describe('lifecycle operations', () => {
  it('ack, assign, note, manual clear — with an audit trail', async () => {
    const [o] = await engine.onEdgeWindows([w(0, 0.6), w(1, 0.6), w(2, 0.6)]);
    const id = o.alarm.id;
    const ack = await engine.acknowledge(id, { userId: 'u-kim' }, T0 + 5 * MIN);
    expect(ack).toMatchObject({ kind: 'acknowledged', notify: false });
    expect(ack!.alarm).toMatchObject({ acknowledged: true, ackBy: 'u-kim', ackAt: T0 + 5 * MIN, status: 'active' });
    expect(await engine.acknowledge(id, { userId: 'u-lee' }, T0 + 6 * MIN)).toBeNull();

    const asg = await engine.assign(id, 'u-lee', { userId: 'u-kim' }, T0 + 7 * MIN);
    expect(asg).toMatchObject({ kind: 'assigned', notify: true });
    expect(asg!.event.data).toMatchObject({ assigneeId: 'u-lee', previousAssigneeId: null });
    expect(await engine.assign(id, 'u-lee', { userId: 'u-kim' }, T0 + 7 * MIN)).toBeNull();
    expect((await engine.assign(id, 'u-kim', { userId: 'u-kim' }, T0 + 8 * MIN))!.notify).toBe(false);

    const { note, transition } = await engine.addNote(id, { userId: 'u-lee' }, '  베어링 소음 확인함  ', T0 + 9 * MIN);
    expect(note.text).toBe('베어링 소음 확인함');
    expect(transition.kind).toBe('noted');
    expect(() => engine.addNote(id, { userId: 'u-lee' }, '   ', T0)).toThrow(AlarmStateError);
    expect(() => engine.addNote(id, { userId: 'u-lee' }, 'x'.repeat(4001), T0)).toThrow(/4000/);

    const clr = await engine.clear(id, { userId: 'u-lee' }, T0 + 10 * MIN);
    expect(clr.alarm).toMatchObject({ status: 'cleared', clearedBy: 'u-lee', acknowledged: true });
    expect(clr.alarm.detail.clearReason).toBe('manual');
    await expect(engine.clear(id, { userId: 'u-lee' }, T0 + 11 * MIN)).rejects.toBeInstanceOf(AlarmStateError);
    await expect(engine.acknowledge('nope', { userId: 'u' }, T0)).rejects.toBeInstanceOf(AlarmNotFoundError);

    expect((await store.events(id)).map((e) => e.kind)).toEqual([
      'opened',
      'acknowledged',
      'assigned',
      'assigned',
      'noted',
      'cleared',
    ]);
    expect(await store.list({ orgId: 'org-a', filter: 'open' })).toEqual([]);
  });
});
