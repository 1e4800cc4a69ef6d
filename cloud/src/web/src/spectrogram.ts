import { useEffect, useRef } from 'preact/hooks';
import { html } from './html.ts';

/** Paints a log-mel spectrogram (frame-major, dB) as an image: time left→right, low bands at the bottom. */
export function Spectrogram({ frames, nMels, data }: { frames: number; nMels: number; data: number[] }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = ref.current;
    if (!c || frames === 0) return;
    c.width = frames;
    c.height = nMels;
    const g = c.getContext('2d');
    if (!g) return;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const v of data) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    lo = Math.max(lo, hi - 80); // 80 dB of dynamic range
    const img = g.createImageData(frames, nMels);
    for (let f = 0; f < frames; f++) {
      for (let m = 0; m < nMels; m++) {
        const x = (data[f * nMels + m] - lo) / (hi - lo || 1);
        const v = Math.max(0, Math.min(1, x));
        const o = ((nMels - 1 - m) * frames + f) * 4;
        // A compact "inferno"-like ramp.
        img.data[o] = Math.round(255 * Math.min(1, v * 1.6));
        img.data[o + 1] = Math.round(255 * Math.max(0, v - 0.35) * 1.4);
        img.data[o + 2] = Math.round(255 * (v < 0.5 ? v * 1.2 : Math.max(0, 1.2 - v * 1.4)));
        img.data[o + 3] = 255;
      }
    }
    g.putImageData(img, 0, 0);
  }, [frames, nMels, data]);
  return html`<canvas ref=${ref} class="w-100 rounded border" style="height:160px;image-rendering:pixelated" data-testid="spectrogram"></canvas>`;
}
