/**
 * The one error type the CLI prints as a single line: what went wrong and what to do about it.
 * Anything else that escapes a command is a bug and is printed with its stack.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Parses a CLI number flag, naming the flag when the value is not usable. */
export function numberFlag(name: string, raw: unknown, opts: { min?: number; max?: number; integer?: boolean } = {}): number {
  const value = typeof raw === 'number' ? raw : Number(String(raw ?? '').trim());
  if (raw === undefined || raw === '' || !Number.isFinite(value)) {
    throw new CliError(`--${name} must be a number (got ${JSON.stringify(raw)})`, 2);
  }
  if (opts.integer && !Number.isInteger(value)) {
    throw new CliError(`--${name} must be a whole number (got ${value})`, 2);
  }
  if (opts.min !== undefined && value < opts.min) {
    throw new CliError(`--${name} must be at least ${opts.min} (got ${value})`, 2);
  }
  if (opts.max !== undefined && value > opts.max) {
    throw new CliError(`--${name} must be at most ${opts.max} (got ${value})`, 2);
  }
  return value;
}
