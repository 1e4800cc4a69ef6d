/**
 * Runs inside the re-scoring worker thread: loads the ensemble once and answers rescore requests,
 * so a clip's ~tens of ms (or a 60 s upload's seconds) of CPU never stalls the HTTP event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Ensemble } from './worker.ts';

interface Request {
  id: number;
  pcm: Float32Array;
  opts?: { sampleRate?: number; maxSeconds?: number };
}

const port = parentPort!;
const { dir, modulePath } = workerData as { dir: string; modulePath: string };
let ensemble: Ensemble | null = null;
try {
  const mod = (await import(modulePath)) as { loadEnsemble(dir: string): Promise<Ensemble> };
  ensemble = await mod.loadEnsemble(dir);
  port.postMessage({ type: 'ready', version: ensemble.version });
} catch (err) {
  port.postMessage({ type: 'load-error', message: (err as Error).message ?? String(err) });
}

port.on('message', async (req: Request) => {
  if (!ensemble) return;
  try {
    const verdict = await ensemble.rescore(req.pcm, req.opts);
    // plain data only across the thread boundary
    port.postMessage({ type: 'result', id: req.id, verdict: JSON.parse(JSON.stringify(verdict)) });
  } catch (err) {
    port.postMessage({ type: 'error', id: req.id, message: (err as Error).message ?? String(err), name: (err as Error).name });
  }
});
