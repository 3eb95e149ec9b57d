import { describe, expect, it } from 'vitest';
import { DEFAULT_MATCH_THRESHOLD, DuplicateIndex, companyKeyOf, matchScore, nameSimilarity, prepareIdentity, type Identity } from './match.js';

const score = (a: Identity, b: Identity) => matchScore(prepareIdentity(a), prepareIdentity(b)).score;
const isDuplicate = (a: Identity, b: Identity) => score(a, b) >= DEFAULT_MATCH_THRESHOLD;

describe('name similarity', () => {
  const sim = (a: string, b: string) => nameSimilarity(prepareIdentity({ name: a }), prepareIdentity({ name: b }));
  it('treats Traditional and Simplified Chinese as equal', () => {
    expect(sim('張大明', '张大明')).toBe(1);
    expect(sim('陳 美玲', '陈美玲')).toBe(1);
  });
  it('treats case, accents, punctuation and swapped order as equal', () => {
    expect(sim('Garcia, Maria', 'María García')).toBe(1);
    expect(sim('JOHN  o’brien', "John O'Brien")).toBe(1);
    expect(sim('Smith John', 'john smith')).toBe(1);
  });
  it('scores a typo high and a different name low', () => {
    expect(sim('Jonathan Smith', 'Jonathon Smith')).toBeGreaterThan(0.9);
    expect(sim('Maria Garcia', 'Pedro Sanchez')).toBeLessThan(0.4);
  });
  it('recognises a left-out second surname', () => {
    expect(sim('María García', 'María García López')).toBeGreaterThanOrEqual(0.9);
  });
});

describe('companyKeyOf', () => {
  it('ignores legal suffixes, case, script and punctuation', () => {
    expect(companyKeyOf('台灣積體電路製造股份有限公司')).toBe(companyKeyOf('台湾积体电路制造'));
    expect(companyKeyOf('ACME, S.A.')).toBe(companyKeyOf('Acme'));
    expect(companyKeyOf('Globex Corp.')).toBe(companyKeyOf('globex corporation'));
    expect(companyKeyOf('')).toBeUndefined();
  });
});

describe('matchScore', () => {
  it('matches the same person written differently', () => {
    expect(isDuplicate({ name: '張大明', company: '台積電' }, { name: '张大明', company: '台积电' })).toBe(true);
    expect(isDuplicate({ name: 'Garcia, Maria', company: 'Telefónica S.A.' }, { name: 'María García', company: 'TELEFONICA' })).toBe(true);
    expect(isDuplicate({ name: 'Ana Ruiz', phone: '+34612345678' }, { name: 'Ana Ruíz', phone: '+34612345678' })).toBe(true);
    expect(isDuplicate({ name: 'Ana Ruiz', email: 'ana@x.es' }, { name: 'A. Ruiz', email: 'ana@x.es' })).toBe(true);
    expect(isDuplicate({ name: 'Jonathan Smith', company: 'Initech' }, { name: 'Jonathon Smith', company: 'Initech LLC' })).toBe(true);
  });

  it('keeps apart people who only look alike', () => {
    // Same name, another company.
    expect(isDuplicate({ name: '王小明', company: '華碩' }, { name: '王小明', company: '宏碁' })).toBe(false);
    // One character apart at the same company, with their own phones.
    expect(isDuplicate({ name: '王小明', company: '華碩', phone: '+886912345678' }, { name: '王小華', company: '華碩', phone: '+886912345679' })).toBe(false);
    // A shared switchboard.
    expect(isDuplicate({ name: 'Maria Garcia', phone: '+34912345678' }, { name: 'Pedro Sanchez', phone: '+34912345678' })).toBe(false);
    // A name alone is not enough.
    expect(isDuplicate({ name: 'John Smith' }, { name: 'John Smith' })).toBe(false);
  });

  it('explains its decision', () => {
    const r = matchScore(prepareIdentity({ name: '張大明', phone: '+886912345678' }), prepareIdentity({ name: '张大明', phone: '+886912345678' }));
    expect(r.reasons).toEqual(['same phone +886912345678', 'same name']);
    expect(r.score).toBe(1);
  });
});

describe('DuplicateIndex', () => {
  it('finds the best candidate through any identifier', () => {
    const index = new DuplicateIndex<string>();
    index.add({ name: '張大明', company: '台積電', phone: '+886912345678' }, 'c1');
    index.add({ name: 'María García', company: 'Telefónica', email: 'maria@telefonica.es' }, 'c2');
    index.add({ name: 'Maria Garcia', company: 'Repsol' }, 'c3');
    expect(index.findBest({ name: '张大明', phone: '+886912345678' })?.ref).toBe('c1');
    expect(index.findBest({ name: 'Garcia, Maria', company: 'TELEFONICA S.A.' })?.ref).toBe('c2');
    expect(index.findBest({ name: 'M. Garcia', email: 'maria@telefonica.es' })?.ref).toBe('c2');
    expect(index.findBest({ name: 'Maria Garcia', company: 'Iberdrola' })).toBeUndefined();
    expect(index.findBest({ name: 'Mariaa Garcia', company: 'Repsol S.A.' })?.ref).toBe('c3');
  });
});

describe('DuplicateIndex: contacts known for a customer', () => {
  it('does not link two people through a row that has no phone', () => {
    const index = new DuplicateIndex<string>();
    index.add({ name: 'Linda Thomas', company: 'Initech', phone: '+34600030599', email: 'linda.t@initech.com' }, 'c1');
    // A second row of c1 without contacts.
    index.add({ name: 'Thomas, Linda', company: 'Initech Corp.' }, 'c1');
    // Another Linda Thomas at Initech, with her own phone and e-mail: not c1.
    expect(index.findBest({ name: 'Linda Thomas', company: 'Initech LLC', phone: '+34600005444', email: 'linda.thomas@initech.com' })).toBeUndefined();
  });
});
