/**
 * Readers of text datasets (issue 17): JSONL (one JSON object per line) and CSV/TSV with a header
 * row (RFC 4180 quoting: a field in double quotes may hold separators, newlines and `""` for a
 * quote). Streamed in chunks, gzip detected from the magic bytes, every error naming the file and
 * line; with `skipInvalid` a bad record is counted and skipped instead.
 */
import { DataFormatError, XmlcError } from '../errors.js';
import { openRegularFile } from './file.js';
import { consumeDecompressed, fileChunks } from './reader.js';

/** The text formats. */
export type TextFormat = 'jsonl' | 'csv' | 'tsv';

/** How to read a text dataset. */
export interface TextReadOptions {
  /** `auto` (default): from the file name — `.jsonl`/`.ndjson`, `.csv`, `.tsv` (a `.gz` suffix is ignored). */
  readonly format?: TextFormat | 'auto';
  /** The text's field (JSONL) or column (CSV/TSV header); default `text`. */
  readonly textField?: string;
  /** The labels' field (a list of strings in JSONL; in CSV/TSV one column, names split by `labelSeparator`); default `labels`. */
  readonly labelsField?: string;
  /** An id field or column (optional): kept with each document and written with its predictions. */
  readonly idField?: string;
  /** CSV/TSV field separator: one character (default `,` for CSV, a tab for TSV). */
  readonly separator?: string;
  /** CSV/TSV: what separates label names in the labels column (default `|`). */
  readonly labelSeparator?: string;
  /** Documents must have labels (training, evaluation); otherwise a missing labels field is no labels. Default true. */
  readonly requireLabels?: boolean;
  /** Skip (and count) invalid records instead of failing on the first. */
  readonly skipInvalid?: boolean;
}

/** Documents read from a text dataset. */
export interface TextDataset {
  /** The documents' texts, in file order. */
  readonly texts: string[];
  /** Label names of each document (trimmed, no empty names, duplicates removed). */
  readonly labels: string[][];
  /** Ids of the documents when an id field was named. */
  readonly ids?: string[];
  /** The format read. */
  readonly format: TextFormat;
  /** The file read (for messages). */
  readonly source: string;
  /** Records skipped as invalid (`skipInvalid`). */
  readonly skipped: number;
  /** The first skipped record's error (file:line: what). */
  readonly firstSkipped?: string;
}

/** File names a text format is recognised by (before an optional `.gz`). */
const EXTENSIONS: ReadonlyArray<[RegExp, TextFormat]> = [[/\.(jsonl|ndjson)(\.gz)?$/i, 'jsonl'], [/\.csv(\.gz)?$/i, 'csv'], [/\.tsv(\.gz)?$/i, 'tsv']];

/** The text format of a file name, or undefined when it names none (then it is a BoW/LIBSVM file). */
export function textFormatOf(file: string): TextFormat | undefined {
  return EXTENSIONS.find(([re]) => re.test(file))?.[1];
}

/**
 * Read a text dataset.
 * @throws DataFormatError naming the file and line of the first invalid record (unless
 *   `skipInvalid`), or when no document is left; XmlcError when the file cannot be read.
 */
export async function readTextDataset(path: string, options: TextReadOptions = {}): Promise<TextDataset> {
  const format = options.format && options.format !== 'auto' ? options.format : textFormatOf(path);
  if (!format) throw new DataFormatError(path, 0, 'cannot tell the text format from the file name: name it .jsonl, .csv or .tsv, or give --format jsonl|csv|tsv');
  const fh = await openRegularFile(path, 'text data file');
  const sink = new DocumentSink(path, format, options);
  try {
    const lines = format === 'jsonl' ? new JsonlReader(sink) : new CsvReader(sink, options.separator ?? (format === 'tsv' ? '\t' : ','));
    await consumeDecompressed(fileChunks(fh, 1 << 22), path, async (bytes) => {
      for await (const c of bytes) lines.feed(c);
      lines.end();
    });
  } finally {
    await fh.close();
  }
  return sink.finish();
}

/** Collects checked documents; knows the options and how to report a bad record. */
class DocumentSink {
  readonly texts: string[] = [];
  readonly labels: string[][] = [];
  readonly ids: string[] | undefined;
  skipped = 0;
  firstSkipped: string | undefined;
  readonly textField: string;
  readonly labelsField: string;
  readonly labelSeparator: string;

  constructor(readonly source: string, readonly format: TextFormat, readonly o: TextReadOptions) {
    this.ids = o.idField !== undefined ? [] : undefined;
    this.textField = o.textField ?? 'text';
    this.labelsField = o.labelsField ?? 'labels';
    this.labelSeparator = o.labelSeparator ?? '|';
  }

  /** A bad record at `line`: an error, or with skipInvalid a count. */
  bad(line: number, detail: string): void {
    const err = new DataFormatError(this.source, line, detail);
    if (!this.o.skipInvalid) throw err;
    this.skipped++;
    this.firstSkipped ??= err.message;
  }

  /** Add a document whose fields were read (undefined: absent) at `line`. */
  add(line: number, text: unknown, labels: unknown, id: unknown): void {
    if (text === undefined) return this.bad(line, `missing the text field "${this.textField}"`);
    if (typeof text !== 'string') return this.bad(line, `the text field "${this.textField}" must be a string, got ${kind(text)}`);
    if (text.trim() === '') return this.bad(line, `empty text in "${this.textField}"`);
    let names: string[];
    if (labels === undefined) {
      if (this.o.requireLabels ?? true) return this.bad(line, `missing the labels field "${this.labelsField}"`);
      names = [];
    } else if (typeof labels === 'string' && this.format !== 'jsonl') {
      names = labels.split(this.labelSeparator);
    } else if (Array.isArray(labels)) {
      const i = labels.findIndex((l) => typeof l !== 'string');
      if (i >= 0) return this.bad(line, `the labels field "${this.labelsField}" must be a list of strings, but item ${i + 1} is ${kind(labels[i])}`);
      names = labels as string[];
    } else {
      return this.bad(line, `the labels field "${this.labelsField}" must be a list of strings, got ${kind(labels)}`);
    }
    const clean = [...new Set(names.map((l) => l.trim()).filter((l) => l !== ''))];
    if (this.ids) {
      if (id === undefined) return this.bad(line, `missing the id field "${this.o.idField!}"`);
      if (typeof id !== 'string' && typeof id !== 'number') return this.bad(line, `the id field "${this.o.idField!}" must be a string or a number, got ${kind(id)}`);
      this.ids.push(String(id));
    }
    this.texts.push(text);
    this.labels.push(clean);
  }

  finish(): TextDataset {
    if (this.texts.length === 0) {
      throw new DataFormatError(this.source, 0, this.skipped ? `no valid document (${this.skipped} invalid records skipped; the first: ${this.firstSkipped!})` : 'no document');
    }
    return {
      texts: this.texts, labels: this.labels, ...(this.ids ? { ids: this.ids } : {}), format: this.format, source: this.source,
      skipped: this.skipped, ...(this.firstSkipped !== undefined ? { firstSkipped: this.firstSkipped } : {}),
    };
  }
}

/** What a JSON value is, for a message. */
function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`;
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Decode one line's bytes, or report it as not UTF-8. */
function decodeLine(sink: DocumentSink, line: number, bytes: Uint8Array): string | undefined {
  try {
    return decoder.decode(bytes);
  } catch {
    sink.bad(line, 'is not valid UTF-8 text');
    return undefined;
  }
}

/**
 * The lines of a byte stream (split at LF), decoded as UTF-8 one by one (an invalid line is
 * reported with its number; the first line's byte-order mark is dropped), for the record readers.
 */
abstract class LineReader {
  private rest: Uint8Array = new Uint8Array(0);
  /** 1-based number of the line being handled. */
  protected line = 0;

  constructor(protected readonly sink: DocumentSink) {}

  feed(chunk: Uint8Array): void {
    let data = chunk;
    if (this.rest.length) { data = new Uint8Array(this.rest.length + chunk.length); data.set(this.rest); data.set(chunk, this.rest.length); }
    let start = 0;
    for (let nl = data.indexOf(10, start); nl >= 0; nl = data.indexOf(10, start)) {
      this.next(data.subarray(start, nl), true);
      start = nl + 1;
    }
    this.rest = data.slice(start);
  }

  end(): void {
    if (this.rest.length) this.next(this.rest, false);
    this.rest = new Uint8Array(0);
    this.finish();
  }

  private next(bytes: Uint8Array, newline: boolean): void {
    this.line++;
    let text = decodeLine(this.sink, this.line, bytes);
    if (text !== undefined && this.line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    this.onLine(text, newline);
  }

  /** One line: its text (undefined when it is not UTF-8, already reported) and whether a newline ended it. */
  protected abstract onLine(text: string | undefined, newline: boolean): void;

  /** After the last line. */
  protected finish(): void {}
}

/** JSONL: one object per line; blank lines are allowed. */
class JsonlReader extends LineReader {
  protected onLine(text: string | undefined): void {
    if (text === undefined || text.trim() === '') return;
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (e) {
      return this.sink.bad(this.line, `invalid JSON (${(e as Error).message}); expected one object per line, e.g. {"text": "...", "labels": ["a", "b"]}`);
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return this.sink.bad(this.line, `expected a JSON object, got ${kind(obj)}`);
    const o = obj as Record<string, unknown>;
    const field = (k: string | undefined): unknown => (k !== undefined && Object.hasOwn(o, k) ? o[k] : undefined);
    this.sink.add(this.line, field(this.sink.textField), field(this.sink.labelsField), field(this.sink.o.idField));
  }
}

/**
 * CSV/TSV (RFC 4180): the first record is the header naming the columns; quoted fields may hold
 * the separator, newlines and `""`. Bytes are decoded line by line (errors name the line).
 */
class CsvReader extends LineReader {
  /** The record being read: its fields, the current field, whether inside quotes, its first line. */
  private fields: string[] = [];
  private field = '';
  private quoted = false;
  private inQuotes = false;
  private afterQuote = false;
  private recordLine = 0;
  private header: string[] | undefined;
  private cols: { text: number; labels: number; id: number } | undefined;

  constructor(sink: DocumentSink, private readonly sep: string) {
    super(sink);
    if (sep.length !== 1 || sep === '"' || sep === '\n' || sep === '\r') throw new XmlcError(`the CSV separator must be one character other than a quote or a newline, got ${JSON.stringify(sep)}`);
  }

  protected override finish(): void {
    if (this.inQuotes) { this.sink.bad(this.recordLine, 'a quoted field is not closed before the end of the file'); this.reset(); return; }
    if (this.fields.length || this.field !== '' || this.quoted) this.endRecord();
  }

  private reset(): void {
    this.fields = []; this.field = ''; this.quoted = false; this.inQuotes = false; this.afterQuote = false;
  }

  protected onLine(line: string | undefined, newline: boolean): void {
    let text = line;
    if (text === undefined) { this.reset(); return; }
    if (!this.inQuotes) this.recordLine = this.line;
    if (!this.inQuotes && newline && text.endsWith('\r')) text = text.slice(0, -1);
    const sep = this.sep;
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (this.inQuotes) {
        if (c === '"') {
          if (text[i + 1] === '"') { this.field += '"'; i++; } else { this.inQuotes = false; this.afterQuote = true; }
        } else this.field += c;
      } else if (c === sep) {
        this.fields.push(this.field); this.field = ''; this.quoted = false; this.afterQuote = false;
      } else if (c === '"' && this.field === '' && !this.quoted) {
        this.inQuotes = true; this.quoted = true;
      } else if (this.afterQuote) {
        if (c === '\r' && i === text.length - 1) continue;
        this.sink.bad(this.recordLine, `unexpected ${JSON.stringify(c)} after a closing quote in field ${this.fields.length + 1} (a quote inside a quoted field is written "")`);
        this.reset();
        return;
      } else {
        this.field += c;
      }
    }
    if (this.inQuotes) {
      if (newline) this.field += '\n';
      return;
    }
    if (this.fields.length === 0 && this.field === '' && !this.quoted) return; // a blank line
    this.endRecord();
  }

  private endRecord(): void {
    this.fields.push(this.field);
    const fields = this.fields;
    this.reset();
    if (!this.header) {
      this.header = fields.map((f) => f.trim());
      const find = (name: string | undefined, what: string, required: boolean): number => {
        if (name === undefined) return -1;
        const i = this.header!.indexOf(name);
        if (i < 0 && required) throw new DataFormatError(this.sink.source, this.recordLine, `the header has no ${what} column "${name}" (its columns: ${this.header!.map((h) => JSON.stringify(h)).join(', ')}); name it with --${what}-field`);
        return i;
      };
      this.cols = {
        text: find(this.sink.textField, 'text', true),
        labels: find(this.sink.labelsField, 'labels', this.sink.o.requireLabels ?? true),
        id: find(this.sink.o.idField, 'id', true),
      };
      return;
    }
    if (fields.length !== this.header.length) return this.sink.bad(this.recordLine, `expected ${this.header.length} fields (as the header) but got ${fields.length}`);
    const c = this.cols!;
    this.sink.add(this.recordLine, fields[c.text], c.labels >= 0 ? fields[c.labels] : undefined, c.id >= 0 ? fields[c.id] : undefined);
  }
}
