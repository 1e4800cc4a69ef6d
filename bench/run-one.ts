/**
 * Runs one bench module in a process of its own and prints its figures as JSON on the last line of
 * stdout. Isolation matters: modules load libraries that install browser-style globals (the TFLite
 * WASM shims set `self`/`location`), which would change how later modules' libraries start, and
 * a module's JIT and heap state should not colour the next module's timings.
 */
import { fileURLToPath } from 'node:url';
import type { BenchModule } from './types.ts';

const [name, quick] = process.argv.slice(2);
const mod = (await import(fileURLToPath(new URL(`./${name}.bench.ts`, import.meta.url)))) as BenchModule;
const figures = await mod.run({ quick: quick === 'quick' });
process.stdout.write(`\n${JSON.stringify(figures)}\n`);
process.exit(0);
