import type { CommandDef } from 'citty';

/**
 * Every `signalcraft` subcommand: a one-line summary for `--help` and a lazy import of the module
 * whose default export is the citty command. Lazy so `signalcraft synth` never loads TensorFlow.
 */
export interface CommandEntry {
  readonly summary: string;
  readonly load: () => Promise<{ default: CommandDef<any> }>;
}

/** Resolved at run time so a command whose module is absent fails only when it is invoked. */
function lazy(path: string): CommandEntry['load'] {
  return () => import(new URL(path, import.meta.url).href);
}

export const COMMANDS: Record<string, CommandEntry> = {
  start: { summary: 'start the product: cloud, dashboard, flasher and a simulated fleet', load: lazy('./start.ts') },
  synth: {
    summary: 'generate synthetic compressor audio (normal and faulty) as WAV',
    load: lazy('../edge-model/src/cli/synth.ts'),
  },
  features: { summary: 'compute log-mel features of a WAV file', load: lazy('../edge-model/src/cli/features.ts') },
  golden: {
    summary: 'write front-end golden vectors for the firmware host tests',
    load: lazy('../edge-model/src/cli/golden.ts'),
  },
  eval: {
    summary: 'evaluate a scorer (baseline, edge model or ensemble): AUC and pAUC',
    load: lazy('../edge-model/src/cli/eval.ts'),
  },
  train: {
    summary: 'train the compact on-device anomaly model on normal clips',
    load: lazy('../edge-model/train/cli.ts'),
  },
  export: {
    summary: 'int8-quantise a trained model and export .tflite, C array, card and vectors',
    load: lazy('../edge-model/export/cli.ts'),
  },
  'train-ensemble': {
    summary: 'train the cloud re-scoring ensemble and fault classifier',
    load: lazy('../cloud/src/ensemble/cli.ts'),
  },
  serve: { summary: 'run the cloud service', load: lazy('../cloud/src/cli/serve.ts') },
  simulate: { summary: 'run a fleet of simulated devices against a cloud', load: lazy('./simulate.ts') },
  flash: { summary: 'flash a firmware build to an ESP32 over a serial port', load: lazy('../flasher/src/cli/flash.ts') },
  provision: {
    summary: 'provision Wi-Fi, cloud URL and device token over Improv serial',
    load: lazy('../flasher/src/cli/provision.ts'),
  },
  bench: { summary: 'run the benchmarks and write bench/results/<date>.json', load: lazy('../bench/cli.ts') },
};
