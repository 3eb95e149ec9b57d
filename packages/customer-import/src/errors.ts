/** An error in the uploaded file that the user can act on; `line` is the physical line (header = 1). */
export type CsvImportErrorCode =
  | 'ENCODING_UNDECIDABLE'
  | 'ENCODING_UNSUPPORTED'
  | 'CSV_MALFORMED'
  | 'CSV_EMPTY'
  | 'NOT_CSV'
  | 'HEADER_INVALID'
  | 'MAPPING_INVALID';

export class CsvImportError extends Error {
  override readonly name = 'CsvImportError';
  constructor(
    readonly code: CsvImportErrorCode,
    message: string,
    readonly line?: number,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}
