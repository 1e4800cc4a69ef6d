import { Worker } from 'node:worker_threads';
import type { CloudVerdict, Ensemble } from './worker.ts';

const ENTRY = new URL('./thread-entry.mjs', import.meta.url);
const SCORER = new URL('../ensemble/scorer.ts', import.meta.url).href;

export class EnsembleThreadError extends Error {
  override name = 'EnsembleThreadError';
}

type Pending = { resolve: (v: CloudVerdict) => void; reject: (e: Error) => void };

/**
 * The ensemble behind a worker thread (contract G's `loadEnsemble` runs in the thread). One thread,
 * requests answered in order; a crashed thread rejects what was pending and is restarted on the
 * next call.
 */
export class ThreadedEnsemble implements Ensemble {
  private worker: Worker | null = null;
  private pending = new Map<number, Pending>();
  private nextId = 1;
  version = '';

  private constructor(
    private dir: string,
    private modulePath: string,
  ) {}

  /** Starts the thread and waits until the ensemble is loaded (rejects with the loader's message). */
  static async load(dir: string, modulePath = SCORER): Promise<ThreadedEnsemble> {
    const t = new ThreadedEnsemble(dir, modulePath);
    await t.start();
    return t;
  }

  private start(): Promise<void> {
    const worker = new Worker(ENTRY, { workerData: { dir: this.dir, modulePath: this.modulePath } });
    this.worker = worker;
    return new Promise<void>((resolve, reject) => {
      worker.on(
        'message',
        (m: { type: string; id?: number; version?: string; message?: string; verdict?: CloudVerdict; name?: string }) => {
          if (m.type === 'ready') {
            this.version = m.version ?? '';
            resolve();
          } else if (m.type === 'load-error') {
            reject(new EnsembleThreadError(m.message ?? 'ensemble failed to load'));
            void worker.terminate();
          } else if (m.id !== undefined) {
            const p = this.pending.get(m.id);
            this.pending.delete(m.id);
            if (!p) return;
            if (m.type === 'result') p.resolve(m.verdict!);
            else p.reject(Object.assign(new Error(m.message ?? 'rescore failed'), { name: m.name ?? 'Error' }));
          }
        },
      );
      const fail = (err: Error) => {
        if (this.worker === worker) this.worker = null;
        reject(err);
        for (const p of this.pending.values()) p.reject(new EnsembleThreadError(`ensemble thread stopped: ${err.message}`));
        this.pending.clear();
      };
      worker.on('error', fail);
      worker.on('exit', (code) => fail(new EnsembleThreadError(`exited with code ${code}`)));
    });
  }

  async rescore(pcm: Float32Array, opts?: { sampleRate?: number; maxSeconds?: number }): Promise<CloudVerdict> {
    if (!this.worker) await this.start();
    const id = this.nextId++;
    const copy = new Float32Array(pcm); // transferred: the caller keeps its own buffer
    return new Promise<CloudVerdict>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker!.postMessage({ id, pcm: copy, opts }, [copy.buffer]);
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}
