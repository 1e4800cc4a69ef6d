import { defineCommand } from 'citty';
import { CliError, numberFlag } from '../../../cli/errors.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { startServer } from '../server.ts';

export default defineCommand({
  meta: { name: 'serve', description: 'run the cloud service (configuration from the environment; see cloud/README.md)' },
  args: {
    port: { type: 'string', description: 'port to listen on (default $PORT or 8787; 0 = any free port)' },
    host: { type: 'string', description: 'address to bind (default $HOST or 127.0.0.1)' },
    broadcaster: {
      type: 'string',
      description: 'realtime fan-out: in-process (one instance) or poll (several instances on one libSQL server)',
      default: 'in-process',
    },
  },
  async run({ args }) {
    let config: ReturnType<typeof loadConfig>;
    try {
      const overrides: Record<string, unknown> = {};
      if (args.port !== undefined) overrides.PORT = numberFlag('port', args.port, { min: 0, max: 65535, integer: true });
      if (args.host !== undefined) {
        if (!args.host.trim()) throw new CliError('--host must not be empty');
        overrides.HOST = args.host;
      }
      config = loadConfig(process.env, overrides);
    } catch (err) {
      if (err instanceof ConfigError) throw new CliError(err.message, 2);
      throw err;
    }
    if (args.broadcaster !== 'in-process' && args.broadcaster !== 'poll')
      throw new CliError('--broadcaster must be in-process or poll', 2);
    const server = await startServer({ config, broadcaster: args.broadcaster });
    process.stderr.write(`signalcraft cloud listening on ${server.url} (database ${config.DATABASE_URL})\n`);
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`${signal}: finishing in-flight requests and closing\n`);
      server.close().then(
        () => process.exit(0),
        (err) => {
          process.stderr.write(`shutdown failed: ${err}\n`);
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
    await new Promise(() => undefined);
  },
});
