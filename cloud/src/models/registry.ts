import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const DEFAULT_MODEL_DIR = path.join(REPO_ROOT, 'models', 'default');

/** Only the card fields the cloud needs; the full schema belongs to edge-model/export/card.ts. */
const cardSubset = z.object({
  name: z.string().optional(),
  thresholds: z
    .object({ alert: z.number(), borderlineLow: z.number(), reportingCadenceS: z.number().int().positive().optional() })
    .loose(),
});

export interface ModelInfo {
  name: string;
  sha256: string;
  bytes: Uint8Array;
  thresholds: { alert: number; borderlineLow: number };
  /** The card's suggested reporting cadence, if it states one. */
  cadenceS: number | null;
}

/** Thresholds used until a model card exists (edge scores are normalised so 1 = alert). */
export const FALLBACK_THRESHOLDS = { alert: 1, borderlineLow: 0.7 };

/** Loads `card.json` + `model.tflite`; null when the folder or either file is absent. */
export async function loadModelInfo(dir = DEFAULT_MODEL_DIR): Promise<ModelInfo | null> {
  const [cardText, bytes] = await Promise.all([
    readFile(path.join(dir, 'card.json'), 'utf8').catch(() => null),
    readFile(path.join(dir, 'model.tflite')).catch(() => null),
  ]);
  if (!cardText || !bytes) return null;
  const card = cardSubset.safeParse(JSON.parse(cardText));
  if (!card.success) throw new Error(`${path.join(dir, 'card.json')} has no usable thresholds: ${card.error.issues[0].message}`);
  return {
    name: card.data.name ?? path.basename(dir),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    bytes: new Uint8Array(bytes),
    thresholds: { alert: card.data.thresholds.alert, borderlineLow: card.data.thresholds.borderlineLow },
    cadenceS: card.data.thresholds.reportingCadenceS ?? null,
  };
}
