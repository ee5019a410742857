// File-system errors in words, for one-line messages: what the OS said, not a bare code.

/** The OS reason in words, then its code: `permission denied (EACCES)`. */
export function osReason(e: unknown): string {
  const code = errCode(e);
  const known: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted (an immutable file or folder? see lsattr)',
    EROFS: 'the file system is read-only',
    ENOSPC: 'no space left on the device',
    EDQUOT: 'the disk quota is exceeded',
    EFBIG: 'the file is too large for the file size limit (ulimit -f) or the file system',
    ENOTDIR: 'a part of the path is a file, not a folder',
    EISDIR: 'it is a folder',
    ENOENT: 'it does not exist',
    ENAMETOOLONG: 'the name is too long',
    ELOOP: 'too many levels of symbolic links',
    EMFILE: 'too many open files',
    ENFILE: 'too many open files in the system',
    EIO: 'an input/output error',
    EBUSY: 'it is busy',
    EEXIST: 'it exists already',
  };
  const message = (e as Error)?.message ?? String(e);
  // Node's own wording is libuv's: "EXDEV: cross-device link not permitted, rename 'a' -> 'b'".
  const libuv = /^[A-Z]+: ([^,]+)/.exec(message)?.[1];
  const text = (code && known[code]) ?? libuv ?? message;
  return code ? `${text} (${code})` : text;
}

export function errCode(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

