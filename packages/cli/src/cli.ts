// edm: the command-line tool (train, generate, dataset, info, bench). Built by scripts/build.mjs into
// dist/cli.js, which runs under plain `node`.
import '@edm/core';
import pkg from '../package.json';
import { loadCommands } from './commands/index';
import { main } from './command/program';

// A closed pipe (`edm --help | head`) ends the output quietly instead of with a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(process.exitCode ?? 0);
});
const commands = await loadCommands();
process.exitCode = await main(commands, process.argv.slice(2), pkg.version);
