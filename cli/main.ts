import { type CommandDef, renderUsage, runCommand } from 'citty';
import { COMMANDS } from './commands.ts';
import { CliError } from './errors.ts';

const HELP = `signalcraft: hear a compressor fail before it fails

usage: signalcraft <command> [options]      (signalcraft <command> --help for its options)

commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(16)}${c.summary}`)
  .join('\n')}
`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) throw new CliError(`unknown command "${name}"; run "signalcraft --help" for the list`, 2);
  let cmd: CommandDef<any>;
  try {
    cmd = (await entry.load()).default;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String(err).includes(name)) {
      throw new CliError(`command "${name}" is not available in this build`);
    }
    throw err;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${await renderUsage(cmd)}\n`);
    return 0;
  }
  await runCommand(cmd, { rawArgs: rest });
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}

const verbose = process.argv.includes('--verbose');
main(process.argv.slice(2).filter((a) => a !== '--verbose')).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof CliError) {
      process.stderr.write(`signalcraft: ${err.message}\n`);
      if (verbose && err.stack) process.stderr.write(`${err.stack}\n`);
      process.exitCode = err.exitCode;
    } else if (err instanceof Error && err.name === 'CLIError') {
      // citty's own argument errors (missing required flag, etc.)
      process.stderr.write(`signalcraft: ${err.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(
        `signalcraft: unexpected error: ${err instanceof Error ? (verbose ? err.stack : err.message) : String(err)}\n`,
      );
      if (!verbose) process.stderr.write('signalcraft: run again with --verbose for details\n');
      process.exitCode = 1;
    }
  },
);
