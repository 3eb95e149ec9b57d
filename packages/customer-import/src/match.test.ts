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

describe('colleagues behind one switchboard number', () => {
  // Same company landline, same given name, different family names and e-mails: two people.
  const taipei = '+886227201234'; // (02) 2720-1234, a fixed line
  const madrid = '+34912345678'; // 91 234 56 78, a fixed line
  const pairs: [Identity, Identity][] = [
    [{ name: '莊品妤', company: '聯發科技', phone: taipei, email: 'pinyu.chuang@mediatek.example' }, { name: '鄧品妤', company: '聯發科技股份有限公司', phone: taipei, email: 'pinyu.teng@mediatek.example' }],
    [{ name: '陳怡君', phone: taipei, email: 'yichun.chen@example.tw' }, { name: '林怡君', phone: taipei, email: 'yichun.lin@example.tw' }],
    [{ name: '张 伟', company: '华为', phone: '+861062345678', email: 'zhang.wei@example.cn' }, { name: '王伟', company: '華為', phone: '+861062345678', email: 'wang.wei@example.cn' }],
    [{ name: 'Ana Ruiz', company: 'Repsol', phone: madrid, email: 'ana.ruiz@repsol.example' }, { name: 'Ana Díaz', company: 'Repsol S.A.', phone: madrid, email: 'ana.diaz@repsol.example' }],
    [{ name: 'María García López', phone: madrid, email: 'mgarcia@iberdrola.example' }, { name: 'María Gómez López', phone: madrid, email: 'mgomez@iberdrola.example' }],
    [{ name: 'John Smith', company: 'Initech', phone: '+34931234567', email: 'john.smith@initech.example' }, { name: 'Smyth, Jon', company: 'Initech', phone: '+34931234567', email: 'jon.smyth@initech.example' }],
  ];

  it('keeps them apart, pairwise and in the index, in either order', () => {
    for (const [a, b] of pairs) {
      expect(score(a, b), `${a.name} / ${b.name}`).toBeLessThan(DEFAULT_MATCH_THRESHOLD);
      expect(score(b, a), `${b.name} / ${a.name}`).toBeLessThan(DEFAULT_MATCH_THRESHOLD);
      const index = new DuplicateIndex<string>();
      index.add(a, 'first');
      expect(index.findBest(b), `${a.name} / ${b.name}`).toBeUndefined();
    }
  });

  it('still merges the same person written twice with the switchboard number', () => {
    expect(isDuplicate({ name: '莊品妤', phone: taipei, email: 'pinyu.chuang@mediatek.example' }, { name: '庄 品妤', phone: taipei })).toBe(true);
    expect(isDuplicate({ name: 'María García', company: 'Telefónica', phone: madrid }, { name: 'Garcia, Maria', phone: madrid, email: 'maria@telefonica.example' })).toBe(true);
    expect(isDuplicate({ name: 'Jonathan Smith', phone: madrid }, { name: 'Jonathon Smith', phone: madrid })).toBe(true);
    // The same e-mail is strong evidence, whatever the phone.
    expect(isDuplicate({ name: '莊品妤', phone: taipei, email: 'pinyu@example.tw' }, { name: '莊品好', phone: taipei, email: 'pinyu@example.tw' })).toBe(true);
  });

  it('explains why a shared line was not enough', () => {
    const [a, b] = pairs[0]!;
    const r = matchScore(prepareIdentity(b), prepareIdentity(a));
    expect(r.reasons).toEqual(expect.arrayContaining([`same shared phone line ${taipei}`, 'different family name', 'different e-mails']));
  });

  it('does not let a mobile number merge two family names that differ, but tolerates a wrong given-name character', () => {
    const mobile = '+886912345678';
    expect(isDuplicate({ name: '莊品妤', phone: mobile, email: 'a@example.tw' }, { name: '鄧品妤', phone: mobile, email: 'b@example.tw' })).toBe(false);
    expect(isDuplicate({ name: 'Ana Ruiz', phone: '+34612345678' }, { name: 'Ana Díaz', phone: '+34612345678' })).toBe(false);
    expect(isDuplicate({ name: '王小明', phone: mobile }, { name: '王小名', phone: mobile })).toBe(true);
    expect(isDuplicate({ name: 'Luis Martín', phone: '+34612345678' }, { name: 'Lus Martín', phone: '+34612345678' })).toBe(true);
    // A husband's surname put in front (冠夫姓) is the same person.
    expect(isDuplicate({ name: '林美玲', phone: mobile }, { name: '陳林美玲', phone: mobile })).toBe(true);
  });

  it('treats a mobile number already known for two customers as a shared line', () => {
    const shared = '+886912000111';
    const index = new DuplicateIndex<string>();
    index.add({ name: '黃志強', phone: shared }, 'c1');
    expect(index.findBest({ name: '黃志鋒', phone: shared })?.ref).toBe('c1');
    index.add({ name: '吳建國', phone: shared }, 'c2');
    // Now the number rings two customers: a wrong character is no longer covered by it.
    expect(index.findBest({ name: '黃志鋒', phone: shared })).toBeUndefined();
    expect(index.findBest({ name: '黃志強', phone: shared })?.ref).toBe('c1');
  });
});
