import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { newId, sha256Hex } from '../ids.ts';

/**
 * Clips on disk, content-addressed: `<dir>/<first two hex>/<sha256>.pcm` holding int16 LE mono.
 * The same audio uploaded twice is stored once. Files are fsynced before the caller commits the
 * row that points at them, so an acknowledged clip is never a dangling reference.
 */
export class ClipMissingError extends Error {
  constructor(readonly sha256: string) {
    super(`clip audio ${sha256} is not on disk (DATA_DIR/clips was moved or pruned)`);
    this.name = 'ClipMissingError';
  }
}

export class ClipStore {
  constructor(readonly dir: string) {}

  pathFor(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return path.join(this.dir, sha256.slice(0, 2), `${sha256}.pcm`);
  }

  async put(pcm: Int16Array): Promise<string> {
    const bytes = new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength);
    const sha = sha256Hex(bytes);
    const file = this.pathFor(sha);
    if (
      await stat(file).then(
        (s) => s.size === bytes.byteLength,
        () => false,
      )
    )
      return sha;
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${newId('tmp', 4)}`;
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file).catch(async (err) => {
      await unlink(tmp).catch(() => undefined);
      throw err;
    });
    return sha;
  }

  async get(sha256: string): Promise<Int16Array> {
    const buf = await readFile(this.pathFor(sha256)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') throw new ClipMissingError(sha256);
      throw err;
    });
    const out = new Int16Array(buf.length >> 1);
    for (let i = 0; i < out.length; i++) out[i] = buf.readInt16LE(i * 2);
    return out;
  }
}
