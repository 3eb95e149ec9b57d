import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { openCsv, type CsvRecord } from './read.js';
import { CsvImportError } from './errors.js';

async function readAll(bytes: Uint8Array | AsyncIterable<Uint8Array>, options = {}) {
  const csv = await openCsv(bytes, options);
  const records: CsvRecord[] = [];
  for await (const r of csv.records) records.push(r);
  return { ...csv, records };
}

async function expectImportError(p: Promise<unknown>): Promise<CsvImportError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CsvImportError);
  return err as CsvImportError;
}

const TRADITIONAL = '客戶姓名,電話,公司,電郵\n張大明,0912-345-678,台灣積體電路製造股份有限公司,daming@example.tw\n陳小華,(02) 2345-6789,鴻海精密工業,xiaohua@example.tw\n林美玲,0933 222 111,統一企業,meiling@example.tw\n';
const SIMPLIFIED = '客户姓名,电话,公司,邮箱\n张大明,13800138000,华为技术有限公司,daming@example.cn\n李小龙,13912345678,腾讯科技,xiaolong@example.cn\n王芳,021-62345678,阿里巴巴集团,wangfang@example.cn\n';

describe('openCsv: encodings', () => {
  it('reads UTF-8 without BOM', async () => {
    const r = await readAll(Buffer.from(TRADITIONAL, 'utf8'));
    expect(r.encoding).toMatchObject({ encoding: 'utf-8', bom: false });
    expect(r.headers).toEqual(['客戶姓名', '電話', '公司', '電郵']);
    expect(r.records[0]).toEqual({ line: 2, values: ['張大明', '0912-345-678', '台灣積體電路製造股份有限公司', 'daming@example.tw'] });
  });

  it('reads UTF-8 with BOM and strips it from the first header', async () => {
    const r = await readAll(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Name,Phone\nAna,600123456\n')]));
    expect(r.encoding).toMatchObject({ encoding: 'utf-8', bom: true, source: 'bom' });
    expect(r.headers).toEqual(['Name', 'Phone']);
  });

  it('detects Big5 and converts it', async () => {
    const r = await readAll(iconv.encode(TRADITIONAL, 'big5'));
    expect(r.encoding.encoding).toBe('big5');
    expect(r.headers[0]).toBe('客戶姓名');
    expect(r.records.map((x) => x.values[0])).toEqual(['張大明', '陳小華', '林美玲']);
  });

  it('detects GB18030 and converts it', async () => {
    const r = await readAll(iconv.encode(SIMPLIFIED, 'gb18030'));
    expect(r.encoding.encoding).toBe('gb18030');
    expect(r.records.map((x) => x.values[0])).toEqual(['张大明', '李小龙', '王芳']);
  });

  it('detects the encoding when the bytes arrive in small chunks', async () => {
    const bytes = iconv.encode(SIMPLIFIED.repeat(50), 'gb18030');
    async function* chunks() {
      for (let i = 0; i < bytes.length; i += 7) yield bytes.subarray(i, i + 7);
    }
    const r = await readAll(chunks());
    expect(r.encoding.encoding).toBe('gb18030');
    expect(r.records[0]!.values[0]).toBe('张大明');
  });

  it('refuses a file it cannot decide with a message saying what to do', async () => {
    // Two bytes that are valid in both Big5 and GB18030, too few for statistics.
    const err = await expectImportError(openCsv(Buffer.from([0x4e, 0x2c, 0x50, 0x0a, 0xb0, 0xa1, 0x2c, 0x31, 0x0a])));
    expect(err.code).toBe('ENCODING_UNDECIDABLE');
    expect(err.message).toMatch(/UTF-8/);
  });

  it('refuses a Latin-1 file instead of importing mojibake', async () => {
    const text = 'Nombre,Teléfono,Compañía\nJosé Peña,600123456,Señor Café\nMaría Núñez,600654321,Diseños Ibáñez\n'.repeat(5);
    const err = await expectImportError(openCsv(iconv.encode(text, 'latin1')));
    expect(err.code).toBe('ENCODING_UNSUPPORTED');
    expect(err.message).toMatch(/save it as "CSV UTF-8"/i);
  });

  it('says a PNG image or an Excel workbook is not a CSV file (no encoding guessed for it)', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0xde, 0xad, 0xbe, 0xef]);
    const err = await expectImportError(openCsv(png));
    expect(err.code).toBe('NOT_CSV');
    expect(err.message).toBe('This file is a PNG image, not a CSV file. Choose the CSV file exported from your spreadsheet or CRM.');
    expect(err.message).not.toMatch(/windows-1252|encoding/i);
    const xlsx = await expectImportError(openCsv(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00])));
    expect(xlsx.code).toBe('NOT_CSV');
    expect(xlsx.message).toMatch(/Save As → "CSV UTF-8/);
  });

  it('refuses a file whose later part is in another encoding, naming the line', async () => {
    const head = Buffer.from('name,city\n' + 'Ana,Madrid\n'.repeat(7000), 'utf8');
    const tail = iconv.encode('張大明,台北\n', 'big5');
    const csv = await openCsv(Buffer.concat([head, tail]));
    expect(csv.encoding.encoding).toBe('utf-8');
    const err = await expectImportError(
      (async () => {
        for await (const _ of csv.records);
      })(),
    );
    expect(err.code).toBe('ENCODING_UNSUPPORTED');
    expect(err.line).toBe(7002);
    expect(err.message).toMatch(/^Line 7002, column 1: bytes that are not valid utf-8/);
  });

  it('accepts an explicitly declared encoding', async () => {
    const text = 'Nombre,Teléfono\nJosé Peña,600123456\n';
    const r = await readAll(iconv.encode(text, 'latin1'), { encoding: 'latin1' });
    expect(r.headers).toEqual(['Nombre', 'Teléfono']);
    expect(r.records[0]!.values[0]).toBe('José Peña');
  });
});

describe('openCsv: structure and line numbers', () => {
  it('counts physical lines across quoted newlines and blank lines', async () => {
    const r = await readAll(Buffer.from('name,notes\nAna,"first\nsecond"\n\nBea,x\r\nCarl,"a ""quoted"" word"\n'));
    expect(r.records).toEqual([
      { line: 2, values: ['Ana', 'first\nsecond'] },
      { line: 5, values: ['Bea', 'x'] },
      { line: 6, values: ['Carl', 'a "quoted" word'] },
    ]);
  });

  it('guesses a semicolon delimiter (Spanish Excel)', async () => {
    const r = await readAll(Buffer.from('Nombre;Teléfono;Empresa\nJosé;600123456;ACME, S.A.\n'));
    expect(r.delimiter).toBe(';');
    expect(r.records[0]!.values).toEqual(['José', '600123456', 'ACME, S.A.']);
  });

  it('skips rows that are only empty cells', async () => {
    const r = await readAll(Buffer.from('a,b\n1,2\n,\n3,4\n'));
    expect(r.records.map((x) => x.line)).toEqual([2, 4]);
  });

  it('reports an unclosed quote with the line where it opens', async () => {
    const csv = await openCsv(Buffer.from('name,phone\nAna,1\nBea,2\n"Carl,3\nDan,4\nEve,5\n'));
    const seen: number[] = [];
    const err = await expectImportError(
      (async () => {
        for await (const r of csv.records) seen.push(r.line);
      })(),
    );
    expect(seen).toEqual([2, 3]);
    expect(err.code).toBe('CSV_MALFORMED');
    expect(err.line).toBe(4);
    expect(err.message).toMatch(/^Line 4: a quoted value opens with " but is never closed/);
  });

  it('refuses an empty file', async () => {
    const err = await expectImportError(openCsv(Buffer.alloc(0)));
    expect(err.code).toBe('CSV_EMPTY');
  });
});

describe('openCsv: other sources', () => {
  it('reads an Excel "Unicode text" export (UTF-16LE with BOM, tab-separated)', async () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode('客戶姓名\t電話\n張大明\t0912-345-678\n', 'utf-16le')]);
    const r = await readAll(bytes);
    expect(r.encoding).toMatchObject({ encoding: 'utf-16le', bom: true });
    expect(r.delimiter).toBe('\t');
    expect(r.headers).toEqual(['客戶姓名', '電話']);
    expect(r.records).toEqual([{ line: 2, values: ['張大明', '0912-345-678'] }]);
  });

  it('passes on an error of the upload stream instead of waiting forever', async () => {
    async function* broken() {
      yield Buffer.from('name,phone\nAna,1\n'.repeat(5000));
      throw new Error('connection reset by peer');
    }
    const csv = await openCsv(broken());
    await expect(
      (async () => {
        for await (const _ of csv.records);
      })(),
    ).rejects.toThrow('connection reset by peer');
  });
});
