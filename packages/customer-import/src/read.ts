/**
 * Streaming CSV reading: detect the encoding from the file's first bytes, decode as a stream
 * (iconv-lite), parse as a stream (csv-parse), and yield each record with the physical line it
 * starts on (the header is line 1), so that every later error can point at a line.
 */
import { Readable, pipeline } from 'node:stream';
import { parse, CsvError } from 'csv-parse';
import iconv from 'iconv-lite';
import { CsvImportError } from './errors.js';
import { detectEncoding, ENCODING_SAMPLE_BYTES, type DetectedEncoding } from './encoding.js';

export interface CsvRecord {
  /** Physical line (1-based) on which the record starts. */
  line: number;
  values: string[];
}

export interface OpenedCsv {
  encoding: DetectedEncoding;
  delimiter: string;
  headers: string[];
  /** Data records after the header; blank records (only empty cells) are left out. */
  records: AsyncIterable<CsvRecord>;
  /** Stops reading (needed only when the records are not read to the end). */
  close(): void;
}

export interface OpenCsvOptions {
  /** Force an encoding instead of detecting it. */
  encoding?: string;
  /** Force a delimiter instead of guessing it from the header line (`,` `;` tab or `|`). */
  delimiter?: string;
}

export type CsvSource = Uint8Array | AsyncIterable<Uint8Array>;

async function peek(source: CsvSource): Promise<{ sample: Uint8Array; complete: boolean; rest: AsyncIterable<Uint8Array> }> {
  if (source instanceof Uint8Array) {
    return {
      sample: source.subarray(0, ENCODING_SAMPLE_BYTES),
      complete: source.length <= ENCODING_SAMPLE_BYTES,
      rest: (async function* () {
        // Large buffers are fed in slices so that decoding and parsing stay incremental.
        for (let i = 0; i < source.length; i += 1 << 20) yield source.subarray(i, i + (1 << 20));
      })(),
    };
  }
  const it = source[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let size = 0;
  let done = false;
  while (size < ENCODING_SAMPLE_BYTES) {
    const next = await it.next();
    if (next.done) {
      done = true;
      break;
    }
    head.push(next.value);
    size += next.value.length;
  }
  const sample = Buffer.concat(head).subarray(0, ENCODING_SAMPLE_BYTES);
  return {
    sample,
    complete: done,
    rest: (async function* () {
      yield* head;
      if (done) return;
      for (let next = await it.next(); !next.done; next = await it.next()) yield next.value;
    })(),
  };
}

function guessDelimiter(firstLine: string): string {
  let best = ',';
  let bestCount = 0;
  for (const d of [',', ';', '\t', '|']) {
    const count = firstLine.split(d).length - 1;
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

/** Lines a raw record spans before its terminator, ignoring the blank lines in front of it. */
function innerNewlines(raw: string): number {
  const body = raw.replace(/^(?:\r?\n|\r)+/, '').replace(/(?:\r\n|\n|\r)$/, '');
  let n = 0;
  for (let i = 0; i < body.length; i++) if (body.charCodeAt(i) === 10) n++;
  return n;
}

function describeParseError(err: CsvError, nextLine: number): CsvImportError {
  const at = typeof err.lines === 'number' ? err.lines : nextLine;
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new CsvImportError(
        'CSV_MALFORMED',
        `Line ${nextLine}: a quoted value opens with " but is never closed (the file ends inside quotes at line ${at}). ` +
          `Add the missing closing quote on line ${nextLine} or remove the stray one.`,
        nextLine,
        { parser: err.code },
      );
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'INVALID_OPENING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return new CsvImportError(
        'CSV_MALFORMED',
        `Line ${at}: misplaced quote character. A value containing " must be wrapped in quotes and its quotes doubled ("").`,
        at,
        { parser: err.code },
      );
    default:
      return new CsvImportError('CSV_MALFORMED', `Line ${at}: ${err.message}`, at, { parser: err.code });
  }
}

export async function openCsv(source: CsvSource, options: OpenCsvOptions = {}): Promise<OpenedCsv> {
  const { sample, complete, rest } = await peek(source);
  if (sample.length === 0) throw new CsvImportError('CSV_EMPTY', 'The file is empty: it needs a header line and at least one row.');
  const encoding = detectEncoding(sample, complete, options.encoding);
  const headText = iconv.decode(Buffer.from(sample.buffer, sample.byteOffset, sample.length), encoding.encoding, { stripBOM: true });
  const delimiter = options.delimiter ?? guessDelimiter(headText.split(/\r?\n|\r/, 1)[0] ?? '');

  // A hand-rolled pull queue rather than the stream's async iterator: the iterator drops the
  // records already parsed when the parser fails, and those rows are good and should be reported.
  type Parsed = { record: string[]; info: { lines: number }; raw: string };
  const queue: Parsed[] = [];
  let failure: unknown;
  let ended = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const parser = parse({
    delimiter,
    record_delimiter: ['\r\n', '\n', '\r'],
    info: true,
    raw: true,
    relax_column_count: true,
    skip_empty_lines: true,
    bom: true,
  });
  // pipeline() hands an error of any stage (a failing upload, a decoder error) to the parser.
  pipeline(Readable.from(rest), iconv.decodeStream(encoding.encoding, { stripBOM: true }), parser, (err) => {
    if (err && failure === undefined) {
      failure = err;
      notify();
    }
  });

  parser.on('data', (r: Parsed) => {
    queue.push(r);
    if (queue.length >= 1000) parser.pause();
    notify();
  });
  parser.on('end', () => {
    ended = true;
    notify();
  });
  parser.on('error', (err) => {
    failure = err;
    notify();
  });
  parser.on('close', () => {
    ended = true;
    notify();
  });

  let lastEndLine = 0;
  const nextRecord = async (): Promise<CsvRecord | undefined> => {
    while (queue.length === 0 && failure === undefined && !ended) {
      if (parser.isPaused()) parser.resume();
      await new Promise<void>((resolve) => (wake = resolve));
    }
    const next = queue.shift();
    if (!next) {
      if (failure instanceof CsvError) throw describeParseError(failure, lastEndLine + 1);
      if (failure !== undefined) throw failure;
      return undefined;
    }
    if (queue.length < 100 && parser.isPaused()) parser.resume();
    const { record, info, raw } = next;
    lastEndLine = info.lines;
    const line = info.lines - innerNewlines(raw);
    // Bytes the decoder could not read (the encoding was decided on the file's start, and a
    // later part is in another encoding): refuse rather than store replacement characters.
    const column = record.findIndex((v) => v.includes('\uFFFD'));
    if (column !== -1) {
      throw new CsvImportError(
        'ENCODING_UNSUPPORTED',
        `Line ${line}, column ${column + 1}: bytes that are not valid ${encoding.encoding}; the file mixes encodings. ` +
          'Save it as "CSV UTF-8" and upload it again.',
        line,
        { encoding: encoding.encoding },
      );
    }
    return { line, values: record };
  };

  const header = await nextRecord();
  if (!header) throw new CsvImportError('CSV_EMPTY', 'The file is empty: it needs a header line and at least one row.');
  const headers = header.values.map((h, i) => h.trim() || `(column ${i + 1})`);

  async function* records(): AsyncGenerator<CsvRecord> {
    try {
      for (let rec = await nextRecord(); rec; rec = await nextRecord()) {
        if (rec.values.every((v) => v.trim() === '')) continue;
        yield rec;
      }
    } finally {
      parser.destroy();
    }
  }
  return { encoding, delimiter, headers, records: records(), close: () => parser.destroy() };
}
