// The entry of the single-file build (apps/cli/build.ts): the bin without the TypeScript loader.
import { main } from './main.js';

process.exitCode = await main(process.argv);
