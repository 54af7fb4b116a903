// File-system errors as messages a person can act on: the path, and what the error code means (a full disk,
// a read-only destination, a symlink loop), instead of Node's raw "ENOSPC: no space left on device, write".
import { CliError, errorMessage } from '../command/errors';

/** What each error code means, for a person. */
const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device (disk full)',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large for this file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ELOOP: 'too many levels of symbolic links (a symlink loop)',
  ENOENT: 'no such file or folder (or a symbolic link to nothing)',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'is a folder, not a file',
  EEXIST: 'already exists',
  ENAMETOOLONG: 'name too long',
  EMFILE: 'too many open files',
  EIO: 'input/output error (a failing disk?)',
  EBUSY: 'busy (in use by another process)',
};

/** The error's code (`ENOSPC`, ...), if it is a Node system error. */
export function errorCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** `<reason> (CODE)` for a file-system error, else its message. */
export function fsErrorReason(e: unknown): string {
  const code = errorCode(e);
  const reason = code ? REASONS[code] : undefined;
  return reason ? `${reason} (${code})` : errorMessage(e);
}

/** `path: <reason> (CODE)` for a file-system error, else `path: <message>`. */
export function fsErrorMessage(e: unknown, path: string): string {
  return `${path}: ${fsErrorReason(e)}`;
}

/** A {@link CliError} naming `path` for a file-system error; CliErrors pass through unchanged. */
export function fsError(e: unknown, path: string): CliError {
  if (e instanceof CliError) return e;
  return new CliError(fsErrorMessage(e, path));
}
