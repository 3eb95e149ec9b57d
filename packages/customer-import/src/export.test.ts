import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { createCsvWriter, neutraliseFormula, toCsv } from './export.js';

describe('CSV export', () => {
  it('prefixes cells that a spreadsheet would run as formulas', () => {
    for (const v of ['=1+2', '+886912345678', '-5', '@SUM(A1)', '\tx', '\rx', '\0x']) expect(neutraliseFormula(v)).toBe(`'${v}`);
    for (const v of ['張大明', 'a=b', 'x-1', '']) expect(neutraliseFormula(v)).toBe(v);
  });

  it('quotes per RFC 4180 with CRLF line ends and round-trips', () => {
    const csv = toCsv(['name', 'notes', 'phone'], [
      ['García, María', 'said "hola"\nthen left', '+34612345678'],
      ['=HYPERLINK("http://evil")', null, 42],
      ['張大明', ['VIP', 'B'], undefined],
    ]);
    expect(csv).toBe(
      'name,notes,phone\r\n' +
        '"García, María","said ""hola""\nthen left",\'+34612345678\r\n' +
        '"\'=HYPERLINK(""http://evil"")",,42\r\n' +
        '張大明,"VIP, B",\r\n',
    );
    expect(parse(csv)).toEqual([
      ['name', 'notes', 'phone'],
      ['García, María', 'said "hola"\nthen left', "'+34612345678"],
      ['\'=HYPERLINK("http://evil")', '', '42'],
      ['張大明', 'VIP, B', ''],
    ]);
  });

  it('adds a BOM on request and streams rows', async () => {
    expect(toCsv(['a'], [['1']], { bom: true })).toBe('\uFEFFa\r\n1\r\n');
    const writer = createCsvWriter(['name', 'email']);
    const chunks: string[] = [];
    writer.stream.on('data', (c: Buffer) => chunks.push(c.toString()));
    const done = new Promise((r) => writer.stream.on('end', r));
    writer.write(['@bob', 'bob@x.com']);
    writer.end();
    await done;
    expect(chunks.join('')).toBe("name,email\r\n'@bob,bob@x.com\r\n");
  });
});
