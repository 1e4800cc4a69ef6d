/**
 * The model card (contract D): the one description of an exported edge model that the firmware's
 * generated header, the cloud's model registry and our scorer all read. Validated with zod on
 * write and on read, so a hand-edited or stale card fails with the field named.
 */

import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { SCORE_KINDS } from '../train/score.ts';

export const CARD_SCHEMA = 'signalcraft.card/1';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const tensorSpec = z.object({
  shape: z.array(z.number().int().positive()).min(1),
  dtype: z.literal('int8'),
  scale: finite.refine((v) => v > 0, 'must be positive'),
  zeroPoint: z.number().int().min(-128).max(127),
});
const aucPair = z.object({ auc: finite, pauc: finite });

export const cardSchema = z
  .object({
    schema: z.literal(CARD_SCHEMA),
    name: z.string().min(1),
    createdAt: z.string(),
    frontend: z.object({
      sampleRate: z.number().int().positive(),
      frameLength: z.number().int().positive(),
      hop: z.number().int().positive(),
      fftSize: z.number().int().positive(),
      window: z.literal('hann'),
      nMels: z.number().int().positive(),
      fmin: finite,
      fmax: finite,
      melScale: z.literal('htk'),
      logFloor: finite,
      contextFrames: z.number().int().positive(),
    }),
    input: tensorSpec,
    output: tensorSpec,
    preprocess: z.object({
      kind: z.enum(['band-standardize', 'pooled-band-standardize']),
      levelNormalization: z.literal('input-mean'),
      contextFrames: z.number().int().positive(),
      /** Log-mel frames averaged (in dB) into one model frame; cards before pooling mean 1. */
      poolFrames: z.number().int().positive().default(1),
      /** Last model frame = per-band std (dB) over the frames the others cover; stats at [nMels + b]. */
      stdFrame: z.boolean().optional(),
      nMels: z.number().int().positive(),
      bandMean: z.array(finite),
      bandStd: z.array(finite.refine((v) => v > 0, 'must be positive')),
      definition: z.string(),
    }),
    score: z.object({
      /** How residuals become a window score (edge-model/train/score.ts); cards before kinds were "input-mse". */
      kind: z.enum(SCORE_KINDS).default('input-mse'),
      definition: z.string(),
      windowFrames: z.number().int().positive(),
      /** Model inputs per hop: one new input per log-mel frame. */
      inputHopFrames: z.literal(1),
      aggregation: z.literal('mean'),
      clipAggregation: z.literal('mean-of-windows'),
    }),
    thresholds: z.object({
      alert: finite,
      borderlineLow: finite,
      borderlineHigh: finite,
      targetFalseAlarmsPerWeek: finite,
      /** Seconds between scored windows the device reports (the cadence the target assumes). */
      reportingCadenceS: finite,
      /** Borderline windows (clips sent to the cloud) expected per day on a healthy machine. */
      targetBorderlinePerDay: finite,
      /** Bounds of the alert threshold a device learns from its own audio (optional: older cards
       * lack them and the firmware then uses 0.5×/2× alert). */
      learnMin: finite.refine((v) => v > 0, 'must be positive').optional(),
      learnMax: finite.optional(),
      method: z.string(),
      heldoutWindows: z.number().int().nonnegative(),
      fit: z.object({ kind: z.literal('lognormal'), mu: finite, sigma: finite }),
    }),
    ops: z.array(z.literal('FULLY_CONNECTED')).min(1),
    architecture: z.object({
      layers: z.array(z.object({ inputs: z.number().int(), outputs: z.number().int(), activation: z.enum(['NONE', 'RELU']) })),
      weightQuantization: z.enum(['per-channel', 'per-tensor']),
    }),
    flashBytes: z.number().int().positive(),
    weightBytes: z.number().int().positive(),
    arenaBytes: z.number().int().positive(),
    macs: z.number().int().positive(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    metrics: z.object({
      float: aucPair.nullable(),
      int8: aucPair.nullable(),
      /** Pearson correlation of float and int8 clip scores on the evaluation clips. */
      scoreCorrelation: finite.nullable(),
      data: z.string().nullable(),
      clips: z.number().int().nonnegative(),
    }),
    validation: z.object({
      runtime: z.string(),
      rows: z.number().int().nonnegative(),
      maxAbsDiff: z.number().int().nonnegative(),
      exactFraction: finite,
      perOpMaxAbsDiff: z.array(z.number().int().nonnegative()),
    }),
    training: z.record(z.string(), z.unknown()),
    files: z.object({
      tflite: z.string(),
      cSource: z.string(),
      cHeader: z.string(),
      vectors: z.string(),
      weights: z.string(),
    }),
  })
  .superRefine((c, ctx) => {
    const d = c.preprocess.contextFrames * c.preprocess.nMels;
    const slots = c.preprocess.nMels * (c.preprocess.stdFrame ? 2 : 1);
    if (c.preprocess.bandMean.length !== slots || c.preprocess.bandStd.length !== slots) {
      ctx.addIssue({ code: 'custom', path: ['preprocess'], message: `bandMean and bandStd need ${slots} values` });
    }
    if (c.input.shape.reduce((a, b) => a * b, 1) !== d) {
      ctx.addIssue({ code: 'custom', path: ['input', 'shape'], message: `input must hold contextFrames·nMels = ${d} values` });
    }
    if (c.preprocess.nMels !== c.frontend.nMels || c.preprocess.contextFrames !== c.frontend.contextFrames) {
      ctx.addIssue({ code: 'custom', path: ['preprocess'], message: 'nMels/contextFrames differ from the front end' });
    }
    const pooled = c.preprocess.poolFrames > 1 || Boolean(c.preprocess.stdFrame);
    if (pooled !== (c.preprocess.kind === 'pooled-band-standardize')) {
      ctx.addIssue({
        code: 'custom',
        path: ['preprocess', 'kind'],
        message: 'kind must be pooled-band-standardize exactly when poolFrames > 1 or stdFrame',
      });
    }
    const t = c.thresholds;
    if (!(t.borderlineLow <= t.alert && t.borderlineHigh === t.alert)) {
      ctx.addIssue({ code: 'custom', path: ['thresholds'], message: 'need borderlineLow <= alert and borderlineHigh = alert' });
    }
    if ((t.learnMin === undefined) !== (t.learnMax === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['thresholds'], message: 'learnMin and learnMax come together' });
    } else if (t.learnMin !== undefined && t.learnMax !== undefined && !(t.learnMin <= t.alert && t.alert <= t.learnMax)) {
      ctx.addIssue({ code: 'custom', path: ['thresholds'], message: 'need learnMin <= alert <= learnMax' });
    }
  });

export type ModelCard = z.infer<typeof cardSchema>;

export class CardError extends Error {
  override name = 'CardError';
}

export function parseCard(json: unknown, source = 'card.json'): ModelCard {
  const r = cardSchema.safeParse(json);
  if (!r.success) {
    const first = r.error.issues[0];
    throw new CardError(`${source}: ${first.path.join('.') || '(root)'}: ${first.message}`);
  }
  return r.data;
}

export async function readCard(path: string): Promise<ModelCard> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new CardError(`${path}: cannot read the model card`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CardError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  return parseCard(json, path);
}
