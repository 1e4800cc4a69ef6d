/**
 * Progress for long work (training epochs, export steps, flashing). Goes to stderr so stdout stays
 * machine-readable (`--json`). On a TTY it redraws one line; elsewhere it prints at most one line
 * per 10 % step so CI logs stay short.
 */
export interface Progress {
  /** Reports `done` of `total` units with an optional note (e.g. "loss 0.031"). */
  update(done: number, total: number, note?: string): void;
  /** Prints a one-off line (a finished step). */
  log(line: string): void;
  done(note?: string): void;
}

export function createProgress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = Boolean(stream.isTTY);
  let lastDecile = -1;
  const started = Date.now();
  const render = (done: number, total: number, note?: string) => {
    const pct = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 0;
    return `${label} ${pct.toString().padStart(3)}% (${done}/${total})${note ? ` ${note}` : ''}`;
  };
  return {
    update(done, total, note) {
      if (tty) {
        stream.write(`\r${render(done, total, note)}\x1b[K`);
        return;
      }
      const decile = total > 0 ? Math.floor((done / total) * 10) : 0;
      if (decile !== lastDecile || done === total) {
        lastDecile = decile;
        stream.write(`${render(done, total, note)}\n`);
      }
    },
    log(line) {
      stream.write(`${tty ? '\r\x1b[K' : ''}${line}\n`);
    },
    done(note) {
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      stream.write(`${tty ? '\r\x1b[K' : ''}${label} done in ${secs} s${note ? `: ${note}` : ''}\n`);
    },
  };
}

/** A progress sink that prints nothing (library callers, tests). */
export const silentProgress: Progress = { update() {}, log() {}, done() {} };
