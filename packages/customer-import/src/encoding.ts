/**
 * Which text encoding a CSV upload is in. UTF-8 (with or without BOM) is recognised by its BOM or
 * by decoding strictly; Big5 vs GB18030 is decided by which decoders accept the bytes and by
 * chardet's statistical analysis. When that is not conclusive the file is refused with a message
 * that says what to do, rather than imported as mojibake.
 */
import chardet from 'chardet';
import iconv from 'iconv-lite';
import { CsvImportError } from './errors.js';

export type SupportedEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'big5' | 'gb18030';

export interface DetectedEncoding {
  encoding: SupportedEncoding | string;
  /** The file started with a byte-order mark (it is removed before parsing). */
  bom: boolean;
  /** How it was decided. */
  source: 'bom' | 'utf-8-valid' | 'statistics' | 'declared';
  /** 0–100; 100 for a BOM or a strictly valid UTF-8 sample. */
  confidence: number;
}

/** How many bytes of the file's start are examined. */
export const ENCODING_SAMPLE_BYTES = 64 * 1024;

const CHINESE = ['big5', 'gb18030'] as const;

/** Strict UTF-8 check that tolerates a multi-byte character cut at the end of the sample. */
function isValidUtf8(sample: Uint8Array, complete: boolean): boolean {
  let end = sample.length;
  if (!complete) {
    // Back off to the start of a possibly truncated trailing character.
    let i = end - 1;
    let back = 0;
    while (i >= 0 && back < 4 && (sample[i]! & 0xc0) === 0x80) {
      i--;
      back++;
    }
    if (i >= 0 && sample[i]! >= 0xc0) end = i;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}

/** True when iconv-lite decodes the bytes without producing a replacement character. */
function decodesCleanly(sample: Uint8Array, encoding: string, complete: boolean): boolean {
  const bytes = complete ? sample : sample.subarray(0, Math.max(0, sample.length - 4));
  return !iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), encoding).includes('\uFFFD');
}

/** Files people pick by mistake, by their first bytes: what they are and what to do instead. */
const NOT_CSV: { kind: string; magic: number[]; advice: string }[] = [
  { kind: 'a PNG image', magic: [0x89, 0x50, 0x4e, 0x47], advice: 'Choose the CSV file exported from your spreadsheet or CRM.' },
  { kind: 'a JPEG image', magic: [0xff, 0xd8, 0xff], advice: 'Choose the CSV file exported from your spreadsheet or CRM.' },
  { kind: 'a GIF image', magic: [0x47, 0x49, 0x46, 0x38], advice: 'Choose the CSV file exported from your spreadsheet or CRM.' },
  { kind: 'a PDF document', magic: [0x25, 0x50, 0x44, 0x46], advice: 'Choose the CSV file exported from your spreadsheet or CRM.' },
  // .xlsx, .docx, .numbers… are ZIP archives; .xls is an OLE2 compound file.
  { kind: 'a spreadsheet workbook (Excel .xlsx or another ZIP file)', magic: [0x50, 0x4b, 0x03, 0x04], advice: 'In Excel: File → Save As → "CSV UTF-8 (comma delimited)", then upload that file.' },
  { kind: 'an old Excel workbook (.xls)', magic: [0xd0, 0xcf, 0x11, 0xe0], advice: 'In Excel: File → Save As → "CSV UTF-8 (comma delimited)", then upload that file.' },
];

/**
 * Refuses a known binary format by its first bytes (an image, a PDF, a workbook) instead of
 * guessing a text encoding for it. (A stray NUL byte in a row is that row's error, not the file's.)
 */
export function refuseBinary(sample: Uint8Array): void {
  const known = NOT_CSV.find((f) => f.magic.every((b, i) => sample[i] === b));
  if (known) throw new CsvImportError('NOT_CSV', `This file is ${known.kind}, not a CSV file. ${known.advice}`, undefined, { kind: known.kind });
}

/**
 * @param sample the first bytes of the file (up to ENCODING_SAMPLE_BYTES)
 * @param complete whether the sample is the whole file
 * @param declared an encoding the user chose explicitly (any encoding iconv-lite knows)
 */
export function detectEncoding(sample: Uint8Array, complete: boolean, declared?: string): DetectedEncoding {
  const hasUtf8Bom = sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf;
  refuseBinary(sample);
  if (declared) {
    if (!iconv.encodingExists(declared)) {
      throw new CsvImportError('ENCODING_UNSUPPORTED', `Unknown encoding "${declared}". Use utf-8, big5 or gb18030.`);
    }
    const bom = hasUtf8Bom && /^utf-?8$/i.test(declared);
    return { encoding: declared.toLowerCase(), bom, source: 'declared', confidence: 100 };
  }
  if (hasUtf8Bom) return { encoding: 'utf-8', bom: true, source: 'bom', confidence: 100 };
  if (sample[0] === 0xff && sample[1] === 0xfe) return { encoding: 'utf-16le', bom: true, source: 'bom', confidence: 100 };
  if (sample[0] === 0xfe && sample[1] === 0xff) return { encoding: 'utf-16be', bom: true, source: 'bom', confidence: 100 };
  if (isValidUtf8(sample, complete)) return { encoding: 'utf-8', bom: false, source: 'utf-8-valid', confidence: 100 };

  const analysis = chardet.analyse(sample);
  const confidenceOf = (name: string) =>
    analysis.find((m) => m.name.toLowerCase() === name)?.confidence ?? 0;
  const clean = CHINESE.filter((enc) => decodesCleanly(sample, enc, complete));
  const top = analysis[0];
  const topIsChinese = !!top && (CHINESE as readonly string[]).includes(top.name.toLowerCase());

  if (top && !topIsChinese && top.confidence >= 50 && confidenceOf('big5') < 50 && confidenceOf('gb18030') < 50) {
    throw new CsvImportError(
      'ENCODING_UNSUPPORTED',
      `The file is not UTF-8; it looks like ${top.name}${top.lang ? ` (${top.lang})` : ''}. ` +
        'Only UTF-8, Big5 and GB18030 are recognised: save it as "CSV UTF-8" and upload it again, or choose its encoding explicitly.',
      undefined,
      { guess: top.name, confidence: top.confidence },
    );
  }
  if (clean.length === 1) {
    const only = clean[0]!;
    return { encoding: only, bom: false, source: 'statistics', confidence: Math.max(confidenceOf(only), 60) };
  }
  if (clean.length === 2) {
    const big5 = confidenceOf('big5');
    const gb = confidenceOf('gb18030');
    const [winner, best, other] = big5 >= gb ? (['big5', big5, gb] as const) : (['gb18030', gb, big5] as const);
    if (best >= 50 && best - other >= 20) return { encoding: winner, bom: false, source: 'statistics', confidence: best };
    throw new CsvImportError(
      'ENCODING_UNDECIDABLE',
      `Cannot tell whether the file is Big5 (Traditional Chinese, confidence ${big5}) or GB18030 ` +
        `(Simplified Chinese, confidence ${gb}). Save it as "CSV UTF-8" and upload it again, or choose its encoding explicitly.`,
      undefined,
      { big5, gb18030: gb },
    );
  }
  throw new CsvImportError(
    'ENCODING_UNSUPPORTED',
    'The file is neither valid UTF-8 nor Big5 nor GB18030' +
      (top ? ` (it looks like ${top.name})` : '') +
      '. Save it as "CSV UTF-8" and upload it again, or choose its encoding explicitly.',
    undefined,
    top ? { guess: top.name, confidence: top.confidence } : undefined,
  );
}

/** Text → bytes in one of the encodings above (for tests, demo files and benchmarks). */
export function encodeText(text: string, encoding: SupportedEncoding): Buffer {
  return iconv.encode(text, encoding);
}
