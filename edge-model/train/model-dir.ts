/**
 * The folder `signalcraft train` writes and `signalcraft export` reads:
 *   weights.json        the float network (layers, [out, in] weights) — see float-model.ts
 *   train.json          front end, preprocessing, score window, training summary, held-out layout
 *   representative.bin  float32 LE [rows × D] preprocessed training inputs (quantisation calibration)
 *   heldout.bin         float32 LE [rows × D] preprocessed held-out normal inputs, clip after clip
 *                       (lengths in train.json heldoutSegments) for the thresholds
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type FloatModelJson, floatModelFromJson, floatModelToJson } from '../export/float-model.ts';
import type { FrontendConfig } from '../src/frontend/config.ts';
import type { PreprocessSpec } from './preprocess.ts';
import { SCORE_KINDS, type ScoreKind } from './score.ts';
import type { TrainedEdgeModel, TrainSummary } from './train.ts';

export const TRAINED_SCHEMA = 'signalcraft.trained/1';

export interface TrainJson {
  schema: typeof TRAINED_SCHEMA;
  frontend: FrontendConfig;
  preprocess: PreprocessSpec;
  windowFrames: number;
  /** Absent in folders written before the score had kinds: those were "input-mse". */
  scoreKind?: ScoreKind;
  summary: TrainSummary;
  /** Dataset folder the model was trained on (export uses its test split for metrics if present). */
  data?: string;
  heldoutSegments: number[];
  representativeRows: number;
}

export class ModelDirError extends Error {
  override name = 'ModelDirError';
}

function packRows(rows: readonly Float32Array[]): Uint8Array {
  const d = rows[0]?.length ?? 0;
  const out = new Float32Array(rows.length * d);
  for (let i = 0; i < rows.length; i++) out.set(rows[i], i * d);
  return new Uint8Array(out.buffer);
}

function unpackRows(bytes: Uint8Array, d: number, file: string): Float32Array[] {
  if (bytes.byteLength % (4 * d) !== 0)
    throw new ModelDirError(`${file}: ${bytes.byteLength} bytes is not a whole number of ${d}-value rows`);
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return Array.from({ length: all.length / d }, (_, i) => all.subarray(i * d, (i + 1) * d));
}

export async function saveTrainedModel(dir: string, trained: TrainedEdgeModel, data?: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const json: TrainJson = {
    schema: TRAINED_SCHEMA,
    frontend: trained.frontend,
    preprocess: trained.preprocess,
    windowFrames: trained.windowFrames,
    scoreKind: trained.scoreKind,
    summary: trained.summary,
    heldoutSegments: trained.heldout.segments,
    representativeRows: trained.representative.length,
  };
  if (data) json.data = path.resolve(data);
  await writeFile(path.join(dir, 'weights.json'), `${JSON.stringify(floatModelToJson(trained.model))}\n`);
  await writeFile(path.join(dir, 'representative.bin'), packRows(trained.representative));
  await writeFile(path.join(dir, 'heldout.bin'), packRows(trained.heldout.inputs));
  await writeFile(path.join(dir, 'train.json'), `${JSON.stringify(json, null, 2)}\n`);
}

async function readJson(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new ModelDirError(`${file} is missing (${what})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ModelDirError(`${file}: not valid JSON (${(err as Error).message})`);
  }
}

export async function readWeights(dir: string) {
  const file = path.join(dir, 'weights.json');
  const json = (await readJson(file, 'the float network')) as FloatModelJson;
  try {
    return floatModelFromJson(json);
  } catch (err) {
    throw new ModelDirError(`${file}: ${(err as Error).message}`);
  }
}

export async function loadTrainedModel(dir: string): Promise<TrainedEdgeModel & { data?: string }> {
  const trainFile = path.join(dir, 'train.json');
  const json = (await readJson(trainFile, 'is this a folder written by `signalcraft train`?')) as TrainJson;
  if (json?.schema !== TRAINED_SCHEMA)
    throw new ModelDirError(`${trainFile}: schema is ${JSON.stringify(json?.schema)}, expected "${TRAINED_SCHEMA}"`);
  const model = await readWeights(dir);
  const d = json.preprocess.contextFrames * json.preprocess.nMels;
  if (model.layers[0].inputs !== d)
    throw new ModelDirError(`${dir}: the network takes ${model.layers[0].inputs} inputs but the preprocessing makes ${d}`);
  const readRows = async (name: string) => {
    const file = path.join(dir, name);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch {
      throw new ModelDirError(`${file} is missing`);
    }
    return unpackRows(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), d, file);
  };
  const representative = await readRows('representative.bin');
  const heldout = await readRows('heldout.bin');
  const scoreKind = json.scoreKind ?? 'input-mse';
  if (!SCORE_KINDS.includes(scoreKind))
    throw new ModelDirError(`${trainFile}: unknown scoreKind ${JSON.stringify(scoreKind)} (known: ${SCORE_KINDS.join(', ')})`);
  const segTotal = json.heldoutSegments.reduce((a, b) => a + b, 0);
  if (segTotal !== heldout.length)
    throw new ModelDirError(`${dir}: heldout.bin has ${heldout.length} rows, train.json lists ${segTotal}`);
  return {
    model,
    frontend: json.frontend,
    // Folders written before pooling existed have no poolFrames: one frame per model frame.
    preprocess: { ...json.preprocess, poolFrames: json.preprocess.poolFrames ?? 1 },
    windowFrames: json.windowFrames,
    scoreKind,
    summary: json.summary,
    representative,
    heldout: { inputs: heldout, segments: json.heldoutSegments },
    data: json.data,
  };
}
