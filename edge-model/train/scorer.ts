/**
 * Contract B's `loadEdgeScorers(modelDir)`: the edge model as two eval scorers, "edge-float" (the
 * trained network) and "edge-int8" (the exported .tflite through our reference interpreter, i.e.
 * what the device computes). Accepts an exported folder (card.json + model.tflite + weights.json)
 * or a training folder (train.json + weights.json; the int8 model is then quantised on the fly
 * exactly as `signalcraft export` would).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { readCard } from '../export/card.ts';
import { quantizeModel } from '../export/quantize.ts';
import type { TfliteModel } from '../export/tflite-model.ts';
import { readTflite } from '../export/tflite-reader.ts';
import type { Clip, Scorer } from '../src/eval/types.ts';
import { FRONTEND } from '../src/frontend/config.ts';
import { loadTrainedModel, ModelDirError, readWeights } from './model-dir.ts';
import { floatReconstructor, int8Reconstructor, type Reconstructor, type ScoringSpec, scorePcm } from './pipeline.ts';

export interface EdgeScorer extends Scorer {
  readonly name: 'edge-float' | 'edge-int8';
  readonly spec: ScoringSpec;
  /** Window scores too (what the device reports), not only the clip score. */
  scoreClipDetailed(clip: Pick<Clip, 'pcm'>): ReturnType<typeof scorePcm>;
}

function makeScorer(name: EdgeScorer['name'], spec: ScoringSpec, recon: Reconstructor): EdgeScorer {
  return {
    name,
    spec,
    scoreClip: (clip) => scorePcm(clip.pcm, spec, recon).score,
    scoreClipDetailed: (clip) => scorePcm(clip.pcm, spec, recon),
  };
}

function checkFrontend(sampleRate: number, dir: string): void {
  if (sampleRate !== FRONTEND.sampleRate) {
    throw new ModelDirError(
      `${dir}: the model expects ${sampleRate} Hz audio but the front end delivers ${FRONTEND.sampleRate} Hz; re-train it on this front end`,
    );
  }
}

export async function loadEdgeScorers(modelDir: string): Promise<EdgeScorer[]> {
  if (!existsSync(modelDir)) throw new ModelDirError(`model folder ${modelDir} does not exist`);
  const cardPath = path.join(modelDir, 'card.json');
  if (existsSync(cardPath)) {
    const card = await readCard(cardPath);
    checkFrontend(card.frontend.sampleRate, modelDir);
    const spec: ScoringSpec = {
      frontend: card.frontend,
      preprocess: {
        kind: card.preprocess.kind,
        levelNormalization: card.preprocess.levelNormalization,
        contextFrames: card.preprocess.contextFrames,
        poolFrames: card.preprocess.poolFrames,
        ...(card.preprocess.stdFrame ? { stdFrame: true } : {}),
        nMels: card.preprocess.nMels,
        bandMean: card.preprocess.bandMean,
        bandStd: card.preprocess.bandStd,
      },
      windowFrames: card.score.windowFrames,
      scoreKind: card.score.kind,
    };
    const tflitePath = path.join(modelDir, card.files.tflite);
    let bytes: Buffer;
    try {
      bytes = await readFile(tflitePath);
    } catch {
      throw new ModelDirError(`${tflitePath} is missing (the card names it)`);
    }
    const { createHash } = await import('node:crypto');
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (sha !== card.sha256)
      throw new ModelDirError(
        `${tflitePath}: sha256 ${sha.slice(0, 12)}… does not match the card's ${card.sha256.slice(0, 12)}…; re-export the model`,
      );
    const tflite = readTflite(new Uint8Array(bytes), tflitePath);
    const scorers = [makeScorer('edge-int8', spec, int8Reconstructor(tflite))];
    if (existsSync(path.join(modelDir, card.files.weights))) {
      scorers.unshift(makeScorer('edge-float', spec, floatReconstructor(await readWeights(modelDir))));
    }
    return scorers;
  }
  if (!existsSync(path.join(modelDir, 'train.json'))) {
    throw new ModelDirError(`${modelDir} holds neither card.json (an exported model) nor train.json (a trained model)`);
  }
  const trained = await loadTrainedModel(modelDir);
  checkFrontend(trained.frontend.sampleRate, modelDir);
  const spec: ScoringSpec = {
    frontend: trained.frontend,
    preprocess: trained.preprocess,
    windowFrames: trained.windowFrames,
    scoreKind: trained.scoreKind,
  };
  const tflite: TfliteModel = quantizeModel(trained.model, trained.representative).tflite;
  return [
    makeScorer('edge-float', spec, floatReconstructor(trained.model)),
    makeScorer('edge-int8', spec, int8Reconstructor(tflite)),
  ];
}
