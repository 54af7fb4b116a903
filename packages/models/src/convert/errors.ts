// Errors of the snapshot converter. Every message names the file (its label), and where it helps the
// byte offset, the opcode or the tensor, with what was expected and what was found.

/** A malformed or disallowed pickle: unknown opcode, refused GLOBAL, bad arguments, truncation. */
export class PickleError extends Error {
  override name = 'PickleError';
}

/** The pickle ended before an opcode's argument, or before STOP. */
export class TruncatedPickleError extends PickleError {
  override name = 'TruncatedPickleError';
}

/** A well-formed pickle that is not a convertible EDM network snapshot (wrong structure or class). */
export class SnapshotError extends Error {
  override name = 'SnapshotError';
}
