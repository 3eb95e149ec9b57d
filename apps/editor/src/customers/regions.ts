// The countries a phone number can be read in, named in the user's language (import wizard, Settings → Import).

/** The countries to choose from, by name in the user's language; the current one always among them. */
export function regionOptions(codes: readonly string[], current: string | undefined, language: string): { code: string; name: string }[] {
  let names: Intl.DisplayNames | undefined;
  try {
    names = new Intl.DisplayNames([language], { type: 'region' });
  } catch {
    names = undefined;
  }
  const all = current && !codes.includes(current) ? [...codes, current] : codes;
  return all
    .map((code) => {
      const name = names?.of(code);
      return { code, name: name && name !== code ? `${name} (${code})` : code };
    })
    .sort((a, b) => a.name.localeCompare(b.name, language));
}
