// Minimal typings for the untyped CommonJS libraries the ensemble uses.
declare module 'libsvm-js' {
  export interface SvmOptions {
    type?: string;
    kernel?: string;
    gamma?: number;
    cost?: number;
    nu?: number;
    probabilityEstimates?: boolean;
    quiet?: boolean;
    cacheSize?: number;
    tolerance?: number;
    shrinking?: boolean;
  }
  export interface SvmInstance {
    train(samples: number[][], labels: number[]): void;
    predictOne(sample: number[]): number;
    predictOneProbability(sample: number[]): { prediction: number; estimates: { label: number; probability: number }[] };
    serializeModel(): string;
    getLabels(): number[];
    free(): void;
  }
  export interface SvmClass {
    new (options?: SvmOptions): SvmInstance;
    load(serialized: string): SvmInstance;
    SVM_TYPES: { C_SVC: string; NU_SVC: string; ONE_CLASS: string; EPSILON_SVR: string; NU_SVR: string };
    KERNEL_TYPES: { LINEAR: string; POLYNOMIAL: string; RBF: string; SIGMOID: string };
  }
  const loader: Promise<SvmClass>;
  export default loader;
}

declare module 'ml-isolation-forest' {
  export interface IsolationTreeNode {
    splitColumn?: number;
    splitValue?: number;
    left?: IsolationTreeNode;
    right?: IsolationTreeNode;
    trainingSet?: unknown[];
  }
  export class IsolationForest {
    constructor(options?: { nEstimators?: number });
    forest: IsolationTreeNode[];
    trainingSet: number[][];
    train(rows: number[][]): void;
    predict(rows: number[][]): number[];
  }
}
