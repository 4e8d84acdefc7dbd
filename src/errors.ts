/**
 * Error classes of xmlc. The CLI prints their messages without a stack trace:
 * a `UsageError` exits with code 2, every other `XmlcError` with code 1.
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
 * A data file does not follow its format. The message names the file, the 1-based line and
 * what was expected, e.g. `data/train.txt:17: feature id 2000 out of range [0, 1836)`.
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

/** A saved model is missing, corrupt, or of another format/version. */
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
