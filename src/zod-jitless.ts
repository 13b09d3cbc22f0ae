/**
 * Imported first by the bin: zod compiles a fast path (new Function) for every object
 * schema on its first parse, which costs more than it saves in a short-lived stdio
 * server whose first requests are what a client waits for (cold start, see bench/).
 * zod reads the flag when a schema is built, so this runs before any module builds one.
 */
import { config } from 'zod';

config({ jitless: true });
