/**
 * Text dataset readers (issue 17): JSONL and CSV/TSV (RFC 4180 quoting), field names, ids,
 * gzip, and every error naming the file and line (or counted with skipInvalid).
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { readTextDataset, textFormatOf, type TextReadOptions } from '../../src/data/text_reader.js';
import { DataFormatError } from '../../src/errors.js';
import { tempDir } from '../tmp.js';

const dir = tempDir('text-reader');

async function file(name: string, content: string | Uint8Array): Promise<string> {
  const p = path.join(dir, name);
  await fs.writeFile(p, content);
  return p;
}

async function fails(name: string, content: string | Uint8Array, re: RegExp, options: TextReadOptions = {}): Promise<void> {
  const p = await file(name, content);
  await assert.rejects(readTextDataset(p, options), (e: unknown) => {
    assert.ok(e instanceof DataFormatError, String(e));
    assert.match(e.message, re);
    assert.ok(e.message.startsWith(p), e.message);
    return true;
  });
}

test('JSONL: text, labels (trimmed, deduplicated) and ids; blank lines, a BOM and gzip are fine', async () => {
  const text = '\ufeff{"text": "first doc", "labels": ["b", " a ", "b"], "id": 7}\n\n{"text": "second\\nline", "labels": [], "id": "x"}\n';
  const ds = await readTextDataset(await file('a.jsonl', text), { idField: 'id' });
  assert.deepEqual(ds.texts, ['first doc', 'second\nline']);
  assert.deepEqual(ds.labels, [['b', 'a'], []]);
  assert.deepEqual(ds.ids, ['7', 'x']);
  assert.equal(ds.format, 'jsonl');
  const gz = await readTextDataset(await file('a.jsonl.gz', gzipSync(Buffer.from(text))), { idField: 'id' });
  assert.deepEqual(gz.texts, ds.texts);
  // Other field names; labels optional when not required.
  const other = await readTextDataset(await file('b.ndjson', '{"body": "x y", "tags": ["t"]}\n{"body": "z"}'), { textField: 'body', labelsField: 'tags', requireLabels: false });
  assert.deepEqual(other.labels, [['t'], []]);
});

test('JSONL errors name the file and line: invalid JSON, not an object, missing or empty text, bad labels, invalid UTF-8', async () => {
  await fails('e1.jsonl', '{"text": "ok", "labels": ["a"]}\n{"text": "no end"\n', /:2: invalid JSON/);
  await fails('e2.jsonl', '["text"]\n', /:1: expected a JSON object, got a list/);
  await fails('e3.jsonl', '{"labels": ["a"]}\n', /:1: missing the text field "text"/);
  await fails('e4.jsonl', '{"text": "  ", "labels": ["a"]}\n', /:1: empty text in "text"/);
  await fails('e5.jsonl', '{"text": 5, "labels": ["a"]}\n', /:1: the text field "text" must be a string, got number 5/);
  await fails('e6.jsonl', '{"text": "t", "labels": ["a", 3]}\n', /:1: the labels field "labels" must be a list of strings, but item 2 is number 3/);
  await fails('e7.jsonl', '{"text": "t", "labels": "a"}\n', /:1: the labels field "labels" must be a list of strings, got string/);
  await fails('e8.jsonl', '{"text": "t"}\n', /:1: missing the labels field "labels"/);
  await fails('e9.jsonl', Buffer.concat([Buffer.from('{"text": "ok", "labels": []}\n{"text": "'), Buffer.from([0xff, 0xfe]), Buffer.from('", "labels": []}\n')]), /:2: is not valid UTF-8 text/);
  await fails('e10.jsonl', '\n\n', /: no document/);
  await fails('e11.jsonl', '{"text": "t", "labels": []}\n', /:1: missing the id field "doc"/, { idField: 'doc' });
});

test('skipInvalid counts the bad records and keeps the good ones', async () => {
  const ds = await readTextDataset(await file('s.jsonl', '{"text": "good", "labels": ["a"]}\nnot json\n{"text": "", "labels": []}\n{"text": "fine", "labels": ["b"]}\n'), { skipInvalid: true });
  assert.deepEqual(ds.texts, ['good', 'fine']);
  assert.equal(ds.skipped, 2);
  assert.match(ds.firstSkipped!, /s\.jsonl:2: invalid JSON/);
  await fails('s2.jsonl', 'x\ny\n', /no valid document \(2 invalid records skipped; the first: .*:1: invalid JSON/, { skipInvalid: true });
});

test('CSV (RFC 4180): a header, quoted fields with separators, newlines and doubled quotes, CRLF; TSV; label separator', async () => {
  const csv = 'id,text,labels\r\n1,"Hello, ""world""\r\nsecond line",a|b\r\n2,plain text, c | d \r\n\r\n';
  const ds = await readTextDataset(await file('a.csv', csv), { idField: 'id' });
  assert.deepEqual(ds.texts, ['Hello, "world"\nsecond line', 'plain text']);
  assert.deepEqual(ds.labels, [['a', 'b'], ['c', 'd']]);
  assert.deepEqual(ds.ids, ['1', '2']);
  const tsv = await readTextDataset(await file('a.tsv', 'labels\ttext\nx;y\tsome, text\n'), { labelSeparator: ';' });
  assert.deepEqual(tsv.texts, ['some, text']);
  assert.deepEqual(tsv.labels, [['x', 'y']]);
  const semi = await readTextDataset(await file('semi.txt', 'text;labels\n"a;b";t\n'), { format: 'csv', separator: ';' });
  assert.deepEqual(semi.texts, ['a;b']);
});

test('CSV errors name the file and line of the record', async () => {
  await fails('c1.csv', 'body,labels\nx,a\n', /:1: the header has no text column "text" \(its columns: "body", "labels"\); name it with --text-field/);
  await fails('c2.csv', 'text,labels\nok,a\ntoo,many,fields\n', /:3: expected 2 fields \(as the header\) but got 3/);
  await fails('c3.csv', 'text,labels\n"never closed,a\nmore\n', /:2: a quoted field is not closed before the end of the file/);
  await fails('c4.csv', 'text,labels\n"quoted"x,a\n', /:2: unexpected "x" after a closing quote in field 1/);
  await fails('c5.csv', 'text,labels\n,a\n', /:2: empty text in "text"/);
  await fails('noext.txt', 'x', /cannot tell the text format from the file name/);
});

test('text formats by file name', () => {
  assert.equal(textFormatOf('a/b.jsonl'), 'jsonl');
  assert.equal(textFormatOf('b.NDJSON.gz'), 'jsonl');
  assert.equal(textFormatOf('c.csv'), 'csv');
  assert.equal(textFormatOf('d.tsv.gz'), 'tsv');
  assert.equal(textFormatOf('e.txt'), undefined);
});
