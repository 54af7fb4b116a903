// The command table: one line per command. A command is a file src/commands/<name>.ts whose default export
// is `defineCommand({...})` (see src/framework/command.ts); add its loader here, in the order `edm --help`
// lists them.
import type { AnyCommand } from '../framework/command';

type Loader = () => Promise<{ default: AnyCommand }>;

export const commandTable: readonly Loader[] = [
  () => import('./train'),
  () => import('./generate'),
  () => import('./dataset'),
  () => import('./info'),
  () => import('./bench'),
  () => import('./convert'),
];

/** Loads every command definition. */
export async function loadCommands(): Promise<AnyCommand[]> {
  return Promise.all(commandTable.map(async (load) => (await load()).default));
}
