// The one error class of output locations, below every layer of app/output/ that throws it.
import { LocalHandsValidationError } from '../../src/validation';

/**
 * A refused output location or a failed write: one line naming the path, what we were doing and why.
 * A LocalHandsValidationError, so every entry point that reports those reports this one too.
 */
export class LocalHandsOutputError extends LocalHandsValidationError {
  /** The OS error code behind a failed write (`EACCES`), if any. */
  public readonly code?: string;

  constructor(where: string, problem: string, code?: string) {
    super(where, [problem]);
    this.name = 'LocalHandsOutputError';
    this.code = code;
  }
}
