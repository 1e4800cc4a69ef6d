/**
 * Fault-type classifier: a random forest (`ml-random-forest`) and an RBF C-SVM with
 * probability estimates (`libsvm-js`) over the standardised features; their class
 * probabilities are averaged. Trained on labelled fault clips (synthetic fault types by
 * default, technician labels via --labels-from).
 *
 * ml-random-forest's CART is O(n²) per node (stack-notes: ~20 s per tree at 5,000×200), so trees
 * are grown on a bootstrap of at most `maxSamples` rows and a random 30 % of the features, with
 * out-of-bag scoring off (`noOOB`); at the few hundred labelled clips we have this trains in
 * seconds (README has the measurement), so a hand-written forest was not needed.
 */

import type { SvmInstance } from 'libsvm-js';
import { RandomForestClassifier } from 'ml-random-forest';
import { loadSvm } from './svm-loader.ts';

export interface FaultClassifierJson {
  kind: 'fault-classifier';
  classes: string[];
  forest: unknown;
  svm: string | null;
}

export interface FaultPrediction {
  readonly type: string;
  readonly confidence: number;
  readonly probabilities: Record<string, number>;
}

export class FaultClassifier {
  private constructor(
    readonly classes: readonly string[],
    private readonly forest: RandomForestClassifier,
    private readonly forestJson: unknown,
    private readonly svm: SvmInstance | null,
    private readonly svmText: string | null,
  ) {}

  static async train(
    rows: readonly Float64Array[],
    labels: readonly string[],
    opts: { trees: number; seed: number },
  ): Promise<FaultClassifier> {
    const classes = [...new Set(labels)].sort();
    if (classes.length < 2)
      throw new Error(`fault classifier needs at least 2 fault types (got ${classes.join(', ') || 'none'})`);
    const y = labels.map((l) => classes.indexOf(l));
    const x = rows.map((r) => Array.from(r));
    const forest = new RandomForestClassifier({
      nEstimators: opts.trees,
      maxFeatures: 0.3,
      // An integer is a row count (1 would mean one row!); null draws n rows.
      maxSamples: x.length > 400 ? 400 : null,
      seed: opts.seed,
      noOOB: true,
      replacement: false,
      useSampleBagging: true,
      treeOptions: { maxDepth: 12, minNumSamples: 2 },
    } as never);
    forest.train(x, y);
    const forestJson = JSON.parse(JSON.stringify(forest.toJSON()));
    // libsvm's probability estimates need a few examples per class for their internal CV.
    const counts = classes.map((_, c) => y.filter((v) => v === c).length);
    let svm: SvmInstance | null = null;
    let svmText: string | null = null;
    if (Math.min(...counts) >= 5) {
      const SVM = await loadSvm();
      const trained = new SVM({
        type: SVM.SVM_TYPES.C_SVC,
        kernel: SVM.KERNEL_TYPES.RBF,
        cost: 10,
        gamma: 1 / x[0].length,
        probabilityEstimates: true,
        quiet: true,
      });
      trained.train(x, y);
      svmText = trained.serializeModel();
      trained.free();
      svm = SVM.load(svmText);
    }
    return new FaultClassifier(classes, RandomForestClassifier.load(forestJson as never), forestJson, svm, svmText);
  }

  predict(z: Float64Array): FaultPrediction {
    const row = [Array.from(z)];
    const k = this.classes.length;
    const p = new Float64Array(k);
    const votes = (this.forest.predictionValues(row) as unknown as { getRow(i: number): number[] }).getRow(0);
    for (const v of votes) p[v] += 1 / votes.length;
    if (this.svm) {
      const est = this.svm.predictOneProbability(row[0]).estimates;
      for (let c = 0; c < k; c++) p[c] *= 0.5;
      for (const e of est) p[e.label] += 0.5 * e.probability;
    }
    let best = 0;
    for (let c = 1; c < k; c++) if (p[c] > p[best]) best = c;
    const probabilities: Record<string, number> = {};
    this.classes.forEach((c, i) => {
      probabilities[c] = p[i];
    });
    return { type: this.classes[best], confidence: p[best], probabilities };
  }

  toJSON(): FaultClassifierJson {
    return { kind: 'fault-classifier', classes: [...this.classes], forest: this.forestJson, svm: this.svmText };
  }

  static async fromJSON(j: FaultClassifierJson): Promise<FaultClassifier> {
    let svm: SvmInstance | null = null;
    if (j.svm) {
      const SVM = await loadSvm();
      svm = SVM.load(j.svm);
    }
    return new FaultClassifier(j.classes, RandomForestClassifier.load(j.forest as never), j.forest, svm, j.svm);
  }
}
