// edm: the command-line tool (train, generate, dataset, info, bench). Built by scripts/build.mjs into
// dist/cli.js, which runs under plain `node`.
import '@edm/core';
import pkg from '../package.json';
import { loadCommands } from './commands/index';
import { main } from './framework/main';

const commands = await loadCommands();
process.exitCode = await main(commands, process.argv.slice(2), pkg.version);
