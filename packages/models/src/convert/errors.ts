// Errors of the snapshot converter. Every message names the file (its label), and where it helps the
// byte offset, the opcode or the tensor, with what was expected and what was found. Messages quote names
// read from the file, so control characters in them are escaped (a crafted GLOBAL cannot drive a terminal)
// and a message stays at most a few lines long.
import { printable } from '../io/printable';

/** Characters of a message kept (a name read from a file can be megabytes long). */
const MAX_MESSAGE_LENGTH = 2000;

/** A malformed or disallowed pickle: unknown opcode, refused GLOBAL, bad arguments, truncation. */
export class PickleError extends Error {
  override name = 'PickleError';
  constructor(message: string) {
    super(printable(message, MAX_MESSAGE_LENGTH));
  }
}

/** The pickle ended before an opcode's argument, or before STOP. */
export class TruncatedPickleError extends PickleError {
  override name = 'TruncatedPickleError';
}

/** A well-formed pickle that is not a convertible EDM network snapshot (wrong structure or class). */
export class SnapshotError extends Error {
  override name = 'SnapshotError';
  constructor(message: string) {
    super(printable(message, MAX_MESSAGE_LENGTH));
  }
}
