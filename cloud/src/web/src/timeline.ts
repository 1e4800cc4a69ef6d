/**
 * The anomaly-score chart: uPlot (small, fast, drag-to-zoom built in) over the API's roll-ups.
 * Zooming refetches the visible span so the server picks raw windows, minute or hour roll-ups.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { html } from './html.ts';
import { t } from './store.ts';
import { type CloudMark, chartColumns } from './timeline-merge.ts';
import type { TimelineData } from './timeline-types.ts';

export type { TimelineData, TimelinePoint } from './timeline-types.ts';

export function Timeline({
  data,
  cloud = [],
  onZoom,
}: {
  data: TimelineData;
  /** Cloud re-scores of clips, drawn as markers on the edge score scale. */
  cloud?: CloudMark[];
  onZoom(from: number, to: number): void;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const zoomRef = useRef(onZoom);
  zoomRef.current = onZoom;
  // The x axis shows the span that was asked for, not just where data happens to be.
  const spanRef = useRef(data);
  spanRef.current = data;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const opts: uPlot.Options = {
      width: el.clientWidth || 600,
      height: 260,
      scales: {
        x: {
          time: true,
          range: (_u, min, max) => {
            const d = spanRef.current;
            if (!(d.from < d.to)) return [min, max];
            return [
              min == null ? d.from / 1000 : Math.min(d.from / 1000, min),
              max == null ? d.to / 1000 : Math.max(d.to / 1000, max),
            ];
          },
        },
        y: { range: (_u, _min, max) => [0, Math.max(max * 1.1, data.threshold * 1.3, 0.5)] },
      },
      series: [
        {},
        { label: t('scoreMean'), stroke: '#0d6efd', width: 1.5, spanGaps: true, points: { show: data.points.length < 200 } },
        { label: t('scoreMax'), stroke: 'rgba(13,110,253,0.35)', width: 1, spanGaps: true },
        { label: t('threshold'), stroke: '#dc3545', width: 1.5, dash: [6, 4], points: { show: false } },
        { label: t('borderline'), stroke: '#fd7e14', width: 1, dash: [3, 3], points: { show: false } },
        {
          label: t('cloudVerdict'),
          stroke: '#6f42c1',
          width: 0,
          paths: () => null,
          points: { show: true, size: 9, fill: '#6f42c1' },
        },
      ],
      cursor: { drag: { x: true, y: false } },
      hooks: {
        setSelect: [
          (u) => {
            if (u.select.width < 5) return;
            const from = u.posToVal(u.select.left, 'x') * 1000;
            const to = u.posToVal(u.select.left + u.select.width, 'x') * 1000;
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            zoomRef.current(Math.round(from), Math.round(to));
          },
        ],
      },
    };
    plot.current = new uPlot(opts, chartColumns(data, cloud) as uPlot.AlignedData, el);
    const ro = new ResizeObserver(() => plot.current?.setSize({ width: el.clientWidth, height: 260 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [data.threshold, data.borderlineLow, t('scoreMean')]);

  useEffect(() => {
    plot.current?.setData(chartColumns(data, cloud) as uPlot.AlignedData);
  }, [data, cloud]);

  return html`<div ref=${box} class="w-100" data-testid="timeline" data-points=${data.points.length} data-res=${data.res} data-cloud=${cloud.length}></div>`;
}
