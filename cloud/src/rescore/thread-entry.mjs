// Worker-thread bootstrap: the thread is plain Node, so register tsx before loading TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./thread.ts');
