// The command table: one line per command, in the order `edm --help` lists them.
//
// Adding a command (the CLI runs on commander; src/command/program.ts turns each option table into commander
// options, so parsing, `--help`, typo suggestions and dispatch need nothing more):
//   1. A file src/commands/<name>.ts whose default export is
//        defineCommand({                                   // src/command/define.ts
//          name: 'metrics', summary: 'One line for edm --help', description: 'Examples, notes (optional)',
//          positionals: [{ name: 'input', help: '...', optional: true }],      // optional
//          options: {                                      // THE option table: camelCase keys, --kebab-case flags
//            net: str({ help: 'Checkpoint', metavar: 'FILE', required: true }),
//            batch: int({ help: 'Largest batch', min: 1, max: 4096, default: 64 }),      // min AND max required
//            sigmaMin: float({ help: 'Lowest sigma', min: 0, exclusiveMin: true, max: 1000,
//              relation: { option: 'sigmaMax', op: '<' } }),   // order between options: usage error naming both
//            mode: choice(['fid', 'kid'] as const, { help: 'Which metric', default: 'fid' }),
//            json: bool({ help: 'Print JSON', default: false }),                  // --json, --json=0, --json 1
//            backend: backendOption(),                     // src/net/backend.ts, for commands that compute
//          },
//          async run({ options, positionals }, ctx) { ... },    // options are typed from the table
//        });
//      The builders are in src/command/options.ts (int, float, str, bool, choice, intList, custom); every
//      numeric option states min and max. Give a default or a `showDefault` text; help shows range and default.
//   2. Its loader in `commandTable` below.
// In run(): throw UsageError (exit 2) for a bad command line, CliError (exit 1) for bad input or a failed run,
// both from src/command/errors.ts; honour ctx.signal (Ctrl-C: save, then throw InterruptedError, exit 130);
// write results with ctx.out, messages with ctx.log, progress with io/progress.ts's Progress (a cli-progress
// bar on a terminal, plain lines elsewhere). The reference's spellings (--S_churn, --batch_gpu) work for every
// option with no extra code. New options of an existing command go into its table the same way.
import type { AnyCommand } from '../command/define';

type Loader = () => Promise<{ default: AnyCommand }>;

export const commandTable: readonly Loader[] = [
  () => import('./train'),
  () => import('./phema'),
  () => import('./generate'),
  () => import('./dataset'),
  () => import('./info'),
  () => import('./bench'),
  () => import('./convert'),
  () => import('./metrics'),
  () => import('./worker'),
];

/** Loads every command definition. */
export async function loadCommands(): Promise<AnyCommand[]> {
  return Promise.all(commandTable.map(async (load) => (await load()).default));
}
