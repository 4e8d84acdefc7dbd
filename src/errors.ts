/**
 * Error classes of xmlc. Every failure a user (or a library caller) can fix is an `XmlcError`;
 * the CLI prints its message without a stack trace: a `UsageError` (and so a `ParamsError`)
 * exits with code 2, every other `XmlcError` with code 1. Anything else that escapes (a plain
 * `Error`, `RangeError`, `TypeError`) is an internal invariant broken by a bug in xmlc: the CLI
 * reports it as an internal error with its stack (exit 1).
 */

/** Base class of every error xmlc raises on purpose. */
export class XmlcError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The user asked for something impossible (bad flag combination, missing option). Exit code 2. */
export class UsageError extends XmlcError {}

/**
 * A hyper-parameter (a training or prediction setting, as given by a flag, `--params` or an
 * options object) has the wrong type, is out of its range or is inconsistent with another.
 * Exit code 2, like every `UsageError`.
 */
export class ParamsError extends UsageError {}

/**
 * An argument passed to a library function is out of its range, of the wrong kind or shape, or
 * inconsistent with another argument (e.g. a matrix with more columns than the model has
 * features). The caller can fix it; {@link InvalidArgumentError.fn} names the function that
 * refused it. Exit code 1.
 */
export class InvalidArgumentError extends XmlcError {
  /** The function (or `Class.method`) that refused the argument, e.g. `topKRows`. */
  readonly fn: string;
  constructor(fn: string, message: string) {
    super(message);
    this.fn = fn;
  }
}

/**
 * A data file does not follow its format. The message names the file, the 1-based line and
 * what was expected, e.g. `data/train.txt:17: feature id 2000 out of range [0, 1836)`. Exit code 1.
 */
export class DataFormatError extends XmlcError {
  /** The file (path as given by the caller). */
  readonly file: string;
  /** 1-based line of the problem; 0 when it concerns the whole file (then the message has no line). */
  readonly line: number;
  /** What is wrong and what was expected, without the file and line. */
  readonly detail: string;
  constructor(file: string, line: number, detail: string) {
    super(line > 0 ? `${file}:${line}: ${detail}` : `${file}: ${detail}`);
    this.file = file;
    this.line = line;
    this.detail = detail;
  }
}

/** A saved model (or an encoder state read from one) is missing, corrupt, or of another format/version. Exit code 1. */
export class ModelFormatError extends XmlcError {}

/**
 * Training diverged: the loss became NaN or infinite. User-fixable (exit 1): the message names
 * what was trained, the epoch, and the fix (a lower learning rate).
 */
export class TrainingDivergedError extends XmlcError {
  /** 1-based epoch in which the loss stopped being finite. */
  readonly epoch: number;
  /** The non-finite loss (NaN or ±Infinity). */
  readonly loss: number;
  constructor(what: string, epoch: number, loss: number, learningRate: number) {
    super(`training the ${what} diverged in epoch ${epoch} (loss ${loss}); lower the learning rate (--learning-rate, now ${learningRate}; try ${learningRate / 10})`);
    this.epoch = epoch;
    this.loss = loss;
  }
}
