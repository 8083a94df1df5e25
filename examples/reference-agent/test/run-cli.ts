// Runs the agent's CLI from source (tests spawn it as a child process, so they can kill it).
import { main } from '../src/cli';

process.exitCode = await main(process.argv.slice(2));
