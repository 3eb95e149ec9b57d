// Settings → Users & roles end to end, in a real browser against the product started as README
// says: an admin adds a viewer (a duplicate e-mail and a weak password are refused at their
// fields), logs out; the viewer signs in with the first password, is made to choose their own,
// then sees the app as a viewer (no Settings entry; the API refuses them the users list); the
// admin disables them → they cannot sign in. Screenshots in English and 繁體中文 go to
// test-output/e2e/settings-*.png.
import { join } from 'node:path';
import { type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpStandIn, type SmtpStandIn } from '@nudge/channels/standins';
import { openBrowserSession, shotsDir, signIn as fillSignIn, type BrowserSession, type Product } from './product';

const shots = shotsDir;
const viewer = { name: 'Vera Viewer', email: 'vera.viewer@example.com', first: 'first-pass-42', own: 'vera-own-secret-7' };

let session: BrowserSession;
let smtp: SmtpStandIn;
let product: Product;
let page: Page;
const pageErrors: string[] = [];
const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
const nav = () => page.getByRole('navigation', { name: 'Main navigation' });

const signIn = (email: string, password: string) => fillSignIn(page, email, password);

async function signOut() {
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
}

describe('settings: users and roles end to end', () => {
  beforeAll(async () => {
    // the product's e-mail goes to a stand-in this test reads (invitations)
    smtp = await startSmtpStandIn({ port: 0 });
    session = await openBrowserSession({
      logName: 'settings-server.log',
      timeoutMs: 20_000,
      pageErrors,
      env: { NUDGE_DEMO_CONVERSATIONS: '10', SMTP_HOST: smtp.host, SMTP_PORT: String(smtp.port), SMTP_IGNORE_TLS: 'true', SMTP_FROM: 'Nudge <noreply@nudge.test>' },
    });
    ({ product, page } = session);
  }, 280_000);

  afterAll(async () => {
    await session?.close();
    await smtp?.close();
  }, 30_000);

  it('an admin adds a viewer; a duplicate e-mail and a weak password are refused at their fields', async () => {
    await page.goto(`${product.baseUrl}/`);
    await signIn('admin@nudge.local', 'nudge-admin');
    await nav().getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    expect(page.url()).toContain('#/settings/users');
    await page.getByTestId('user-row').filter({ hasText: 'admin@nudge.local' }).waitFor();

    await page.getByRole('button', { name: 'Add a colleague' }).click();
    const form = page.getByRole('form', { name: 'Add a colleague' });
    await form.getByLabel('Set the starting password yourself (they change it at first sign-in)').check(); // an invitation by e-mail is the default
    await form.getByLabel('Name').fill(viewer.name);
    await form.getByLabel('E-mail').fill('ADMIN@nudge.local');
    await form.getByLabel('Role').selectOption('viewer');
    await form.getByLabel('First password').fill('short');
    await form.getByRole('button', { name: 'Add colleague' }).click();
    await form.getByText('A colleague with this e-mail already exists.').waitFor();
    await shot('settings-add-errors-en');

    await form.getByLabel('E-mail').fill(viewer.email);
    await form.getByRole('button', { name: 'Add colleague' }).click();
    await form.getByText('Too short: a password needs at least 8 characters.').waitFor();
    await form.getByLabel('First password').fill('password123');
    await form.getByRole('button', { name: 'Add colleague' }).click();
    await form.getByText('This password is too common').waitFor();

    await form.getByLabel('First password').fill(viewer.first);
    await form.getByRole('button', { name: 'Add colleague' }).click();
    await page.getByRole('status').filter({ hasText: `${viewer.name} (${viewer.email}) was added` }).waitFor();
    const row = page.getByTestId('user-row').filter({ hasText: viewer.email });
    await row.getByText('Has not changed the first password').waitFor();
    expect(await row.getByLabel(`Role of ${viewer.name}`).inputValue()).toBe('viewer');
    await shot('settings-users-en');

    await page.getByLabel('Language').selectOption('zh-TW');
    await page.getByRole('heading', { name: '設定' }).waitFor();
    await page.getByText('尚未更改初始密碼').waitFor();
    await page.getByRole('button', { name: '新增同事' }).click();
    await page.getByRole('form', { name: '新增同事' }).getByLabel('設定初始密碼（對方首次登入時變更）').check();
    await page.getByRole('form', { name: '新增同事' }).getByText('至少 8 個字元').first().waitFor();
    await shot('settings-users-zh-TW');
    await page.getByRole('button', { name: '取消' }).click();
    await page.getByLabel('語言').selectOption('en');
    await signOut();
  }, 120_000);

  it('the viewer signs in with the first password, must choose their own, then sees the app as a viewer', async () => {
    await signIn(viewer.email, viewer.first);
    const change = page.getByRole('form', { name: 'Choose your own password' });
    await change.waitFor();
    expect(await nav().count()).toBe(0); // nothing else until the password is changed
    // until then the API refuses everything else with a clear code
    const refused = await page.evaluate(async () => {
      const r = await fetch('/api/flows', { headers: { Authorization: `Bearer ${localStorage.getItem('nudge.token')}` } });
      return { status: r.status, body: await r.json() };
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('password_change_required');

    await change.getByLabel('New password', { exact: true }).fill('vera12');
    await change.getByLabel('Repeat the new password').fill('vera12');
    await change.getByRole('button', { name: 'Save my password' }).click();
    await change.getByText('Too short: a password needs at least 8 characters.').waitFor();
    await change.getByLabel('New password', { exact: true }).fill(viewer.own);
    await change.getByLabel('Repeat the new password').fill(viewer.own + 'x');
    await change.getByRole('button', { name: 'Save my password' }).click();
    await change.getByText('The two passwords differ.').waitFor();
    await shot('settings-change-password-en');
    await page.getByLabel('Language').selectOption('zh-TW');
    await page.getByRole('heading', { name: '設定你自己的密碼' }).waitFor();
    await shot('settings-change-password-zh-TW');
    await page.getByLabel('語言').selectOption('en');

    await change.getByLabel('Repeat the new password').fill(viewer.own);
    await change.getByRole('button', { name: 'Save my password' }).click();
    await nav().waitFor();
    await page.getByText(`${viewer.name} · Viewer`).waitFor();
    await nav().getByRole('link', { name: 'Customers' }).waitFor();
    expect(await nav().getByRole('link', { name: 'Settings' }).count()).toBe(0);
    // a customer's owner reads as a name, not an id
    const owned = await page.evaluate(async () => {
      const h = { Authorization: `Bearer ${localStorage.getItem('nudge.token')}` };
      const customers = (await (await fetch('/api/customers?pageSize=100', { headers: h })).json()).items as { id: string; ownerId: string | null }[];
      const c = customers.find((x) => x.ownerId)!;
      const people = (await (await fetch('/api/users/directory', { headers: h })).json()).items as { id: string; name: string }[];
      return { id: c.id, ownerId: c.ownerId!, owner: people.find((p) => p.id === c.ownerId)!.name };
    });
    await page.goto(`${product.baseUrl}/#/customers/${owned.id}`);
    const ownerField = page.locator('dl.field-grid > div').filter({ has: page.getByText('Owner', { exact: true }) }).locator('dd');
    await ownerField.getByText(owned.owner, { exact: true }).waitFor();
    expect(await ownerField.textContent()).not.toContain(owned.ownerId);
    // a viewer may try a segment and see its count, but is not offered to save it
    await nav().getByRole('link', { name: 'Customers' }).click();
    await page.getByRole('button', { name: 'New segment' }).click();
    await page.getByText('saving a segment is for managers and admins').waitFor();
    expect(await page.getByRole('button', { name: 'Save segment' }).count()).toBe(0);
    await shot('settings-viewer-segment-en');
    // typing the address does not help: the screen says so, and the API refuses (403)
    await page.goto(`${product.baseUrl}/#/settings/users`);
    await page.getByText('Settings are for administrators').waitFor();
    const users = await page.evaluate(async () => {
      const r = await fetch('/api/users', { headers: { Authorization: `Bearer ${localStorage.getItem('nudge.token')}` } });
      return r.status;
    });
    expect(users).toBe(403);
    await shot('settings-viewer-en');
    await signOut();
  }, 120_000);

  it('an admin disables the viewer → they cannot sign in; enabled again they can', async () => {
    await signIn('admin@nudge.local', 'nudge-admin');
    await nav().getByRole('link', { name: 'Settings' }).click();
    const row = page.getByTestId('user-row').filter({ hasText: viewer.email });
    expect(await row.getByText('Has not changed the first password').count()).toBe(0);
    await row.getByRole('button', { name: 'Disable' }).click();
    await page.getByRole('status').filter({ hasText: `${viewer.name} is disabled` }).waitFor();
    await row.getByText('Disabled', { exact: true }).waitFor();
    await signOut();

    await signIn(viewer.email, viewer.own);
    await page.getByRole('alert').filter({ hasText: 'This account is disabled. Ask an administrator to enable it.' }).waitFor();
    await shot('settings-disabled-login-en');
    expect(await nav().count()).toBe(0);

    await signIn('admin@nudge.local', 'nudge-admin');
    await nav().getByRole('link', { name: 'Settings' }).click();
    await page.getByTestId('user-row').filter({ hasText: viewer.email }).getByRole('button', { name: 'Enable' }).click();
    await page.getByRole('status').filter({ hasText: `${viewer.name} can sign in again.` }).waitFor();
    await signOut();
    await signIn(viewer.email, viewer.own);
    await nav().waitFor();
    await signOut();
  }, 120_000);

  it('an admin adds an agent and sets skills, languages, working hours and cap; teams are created, renamed, given members', async () => {
    await signIn('admin@nudge.local', 'nudge-admin');
    await nav().getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'Add a colleague' }).click();
    const form = page.getByRole('form', { name: 'Add a colleague' });
    await form.getByLabel('Set the starting password yourself (they change it at first sign-in)').check();
    await form.getByLabel('Name').fill('Ana Agent');
    await form.getByLabel('E-mail').fill('ana.agent@example.com');
    await form.getByLabel('Role').selectOption('agent');
    await form.getByLabel('Team').selectOption({ label: 'Taipei' });
    await form.getByRole('button', { name: 'Suggest one' }).click();
    expect((await form.getByLabel('First password').inputValue()).length).toBeGreaterThanOrEqual(8);
    await form.getByRole('button', { name: 'Add colleague' }).click();
    await page.getByRole('status').filter({ hasText: 'Ana Agent (ana.agent@example.com) was added' }).waitFor();

    const row = page.getByTestId('user-row').filter({ hasText: 'ana.agent@example.com' });
    await row.getByRole('button', { name: 'Edit' }).click();
    const details = page.getByRole('form', { name: 'Agent details of Ana Agent' });
    // a new agent starts with the team's business hours (Taipei: 09:00–12:00 and 13:30–18:00)
    expect(await details.getByLabel('Monday from').count()).toBe(2);
    await details.getByLabel('Skills').fill('technical, sales');
    await details.getByLabel('Spanish').check();
    await details.getByLabel('English').check();
    await details.getByLabel('Open conversations at most').fill('5');
    await details.getByLabel('Monday until').first().fill('08:00');
    await details.getByRole('button', { name: 'Save details' }).click();
    await details.getByText('The end must be after the start').waitFor();
    await shot('settings-agent-error-en');
    await details.getByLabel('Monday until').first().fill('12:00');
    await details.getByRole('button', { name: 'Save details' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved the agent details of Ana Agent.' }).waitFor();
    await row.getByText('technical, sales · Spanish, English · Mon Tue Wed Thu Fri · at most 5 open').waitFor();
    const saved = await page.evaluate(async () => {
      const r = await fetch('/api/users', { headers: { Authorization: `Bearer ${localStorage.getItem('nudge.token')}` } });
      return ((await r.json()).items as { email: string; agent: unknown }[]).find((u) => u.email === 'ana.agent@example.com')!.agent;
    });
    expect(saved).toMatchObject({ skills: ['technical', 'sales'], languages: ['es', 'en'], maxOpen: 5, timezone: 'Asia/Taipei' });
    expect((saved as { workingHours: unknown[] }).workingHours).toContainEqual({ weekday: 1, start: '09:00', end: '12:00' });

    await row.getByRole('button', { name: 'Edit' }).click();
    await shot('settings-agent-en');
    await page.getByLabel('Language').selectOption('zh-TW');
    await page.getByRole('form', { name: 'Ana Agent 的客服設定' }).getByText('星期一').waitFor();
    await shot('settings-agent-zh-TW');
    await page.getByLabel('語言').selectOption('en');

    await page.getByRole('link', { name: 'Teams' }).click();
    await page.getByLabel('New team').fill('Night shift');
    await page.getByRole('button', { name: 'Create team' }).click();
    await page.getByRole('status').filter({ hasText: 'Team Night shift created.' }).waitFor();
    await page.getByLabel('New team').fill('Night shift');
    await page.getByRole('button', { name: 'Create team' }).click();
    await page.getByText('A team with this name already exists.').waitFor();
    const card = page.getByRole('article', { name: 'Night shift' });
    await card.getByRole('button', { name: 'Rename' }).click();
    await card.getByLabel('Name of team Night shift').fill('Night owls');
    await card.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'The team is now called Night owls.' }).waitFor();
    const owls = page.getByRole('article', { name: 'Night owls' });
    await owls.getByLabel('Add a member to Night owls').selectOption({ label: 'Ana Agent' });
    await page.getByRole('status').filter({ hasText: 'Ana Agent is now in Night owls.' }).waitFor();
    await owls.getByText('Ana Agent').waitFor();
    await owls.getByText('1 member').waitFor();
    await shot('settings-teams-en');
    await page.getByLabel('Language').selectOption('zh-TW');
    await page.getByRole('link', { name: '團隊' }).waitFor();
    await shot('settings-teams-zh-TW');
    await page.getByLabel('語言').selectOption('en');
  }, 180_000);

  it('auto-replies: the tester says what would answer; a new rule answers at once; a bad regular expression is refused at its field', async () => {
    await page.getByRole('link', { name: 'Auto-replies & hand-off' }).click();
    const tester = page.getByRole('form', { name: 'What would answer this message?' });
    await tester.getByLabel('A customer writes').fill('請問價格多少？');
    await tester.getByRole('button', { name: 'Test' }).click();
    const result = page.getByRole('status', { name: 'Test result' });
    await result.getByText('Answered by the rule Price').waitFor();
    await result.getByText('3,500').waitFor();
    await tester.getByLabel('A customer writes').fill('I want a human agent please');
    await tester.getByRole('button', { name: 'Test' }).click();
    await result.getByText('Hand-off to a person: Hand-off to a person').waitFor();
    await tester.getByLabel('A customer writes').fill('what about the warranty?');
    await tester.getByRole('button', { name: 'Test' }).click();
    await result.getByText('No rule answers this message.').waitFor();

    const keywords = page.getByTestId('rules-keyword');
    await keywords.getByRole('button', { name: 'Add a rule' }).click();
    const form = keywords.getByRole('form', { name: 'New rule' });
    await form.getByLabel('Name').fill('Warranty');
    await form.getByLabel('How it matches').selectOption('regex');
    await form.getByLabel('Phrasings, one per line').fill('warrant(y|ies\ngarant');
    await form.getByLabel('English').fill('Every machine has a two-year warranty.');
    await form.getByRole('button', { name: 'Save rule' }).click();
    await form.getByText('Not a valid regular expression').waitFor();
    await shot('settings-rule-error-en');
    await form.getByLabel('How it matches').selectOption('contains');
    await form.getByLabel('Phrasings, one per line').fill('warranty\n保固\n保修\ngarantía');
    await form.getByRole('button', { name: 'Save rule' }).click();
    await page.getByRole('status').filter({ hasText: 'Rule Warranty saved' }).waitFor();
    await keywords.getByTestId('rule').filter({ hasText: 'Warranty' }).waitFor();

    await tester.getByRole('button', { name: 'Test' }).click();
    await result.getByText('Answered by the rule Warranty').waitFor();
    await result.getByText('Every machine has a two-year warranty.').waitFor();
    await shot('settings-auto-replies-en');
    await page.getByLabel('Language').selectOption('zh-TW');
    await page.getByRole('heading', { name: '轉真人關鍵字' }).waitFor();
    await shot('settings-auto-replies-zh-TW');
    await page.getByLabel('語言').selectOption('en');
  }, 180_000);

  it('business hours of a team: split periods, an overlap refused at the period, a holiday', async () => {
    await page.getByRole('link', { name: 'Teams' }).click();
    await page.getByRole('article', { name: 'Night owls' }).getByRole('button', { name: 'Business hours' }).click();
    const form = page.getByRole('form', { name: 'Business hours of Night owls' });
    await form.getByText('No hours set: open around the clock.').waitFor().catch(async (e) => {
      await shot('settings-business-hours-failed');
      throw e;
    });
    await form.getByLabel('Time zone').fill('Europe/Madrid');
    const monday = form.getByRole('row', { name: /^Monday/ });
    await monday.getByRole('button', { name: '+ period' }).click();
    await monday.getByRole('button', { name: '+ period' }).click();
    await form.getByLabel('Monday from').nth(1).fill('11:00');
    await form.getByLabel('Holiday date').fill('2026-12-25');
    await form.getByRole('button', { name: 'Add holiday' }).click();
    await form.getByRole('button', { name: 'Save business hours' }).click();
    await form.getByText('This period overlaps another one on the same day.').waitFor();
    await form.getByLabel('Monday from').nth(1).fill('13:30');
    expect(await form.getByText('This period overlaps another one on the same day.').count()).toBe(0);
    await form.getByRole('button', { name: "Use Monday's hours Monday to Friday" }).click();
    expect(await form.getByLabel('Friday from').count()).toBe(2);
    await shot('settings-business-hours-en');
    await page.getByLabel('Language').selectOption('zh-TW');
    await page.getByRole('form', { name: 'Night owls 的營業時間' }).getByText('休假日（全天不營業）').waitFor();
    await shot('settings-business-hours-zh-TW');
    await page.getByLabel('語言').selectOption('en');
    await form.getByRole('button', { name: 'Save business hours' }).click();
    await page.getByRole('status').filter({ hasText: 'Business hours of Night owls saved' }).waitFor();
    const saved = await page.evaluate(async () => {
      const h = { Authorization: `Bearer ${localStorage.getItem('nudge.token')}` };
      const teams = (await (await fetch('/api/teams', { headers: h })).json()).items as { id: string; name: string }[];
      const id = teams.find((x) => x.name === 'Night owls')!.id;
      return (await fetch(`/api/teams/${id}/inbox-settings`, { headers: h })).json();
    });
    expect(saved).toMatchObject({ configured: true, timezone: 'Europe/Madrid', holidays: ['2026-12-25'] });
    expect(saved.periods).toHaveLength(10);
    expect(saved.periods).toContainEqual({ weekday: 5, start: '13:30', end: '18:00' });
  }, 120_000);

  it('deadlines and assignment: a contradicting order is refused at its field; a valid policy is saved', async () => {
    await page.getByRole('link', { name: 'Deadlines & assignment' }).click();
    const form = page.getByRole('form', { name: 'Deadlines & assignment' });
    expect(await form.getByLabel('P1: reply within').inputValue()).toBe('2');
    await form.getByLabel('P2: reply within').fill('1');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByText('P1 must be answered no later than P2, and P2 no later than P3.').waitFor();
    await form.getByLabel('P2: reply within').fill('4');
    await form.getByLabel('P1 when the budget is above').fill('80000');
    await form.getByLabel('Fewest open first').check();
    expect(await form.getByLabel('Move on after').inputValue()).toBe('15');
    await form.getByLabel('Move on after').fill('0');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByText('Enter whole minutes from 1 to 1440 (a day).').waitFor();
    await form.getByLabel('Move on after').fill('20');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByRole('status').filter({ hasText: 'Saved; new conversations' }).waitFor();
    await shot('settings-policy-en');
    await page.getByLabel('Language').selectOption('zh-TW');
    await page.getByRole('heading', { name: '回覆期限（SLA）' }).waitFor();
    await shot('settings-policy-zh-TW');
    await page.getByLabel('語言').selectOption('en');
    const policy = await page.evaluate(async () =>
      (await fetch('/api/inbox/policy', { headers: { Authorization: `Bearer ${localStorage.getItem('nudge.token')}` } })).json());
    expect(policy).toEqual({ sla: { P1: 2, P2: 4, P3: 24 }, budget: { p1Above: 80000, p2From: 50000 }, strategy: 'load', escalateAfterMinutes: 20 });
    expect(pageErrors).toEqual([]);
  }, 120_000);
  it('an admin invites a colleague by e-mail; the link (in Spanish) sets the password and signs in; a replaced or used link says so', async () => {
    const invitee = { name: 'Iris Invitada', email: 'iris.invitada@example.com', own: 'iris-own-secret-5' };
    await nav().getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('link', { name: 'Users & roles' }).click();
    await page.getByRole('button', { name: 'Add a colleague' }).click();
    const form = page.getByRole('form', { name: 'Add a colleague' });
    expect(await form.getByLabel('Send an invitation link (they choose their own password)').isChecked()).toBe(true);
    expect(await form.getByLabel('First password').count()).toBe(0);
    await form.getByLabel('Name').fill(invitee.name);
    await form.getByLabel('E-mail').fill(invitee.email);
    await form.getByLabel('Role').selectOption('agent');
    await form.getByLabel('Write the invitation in').selectOption('es');
    await form.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByRole('status').filter({ hasText: `${invitee.name} was invited: an e-mail with a link to choose a password went to ${invitee.email}` }).waitFor();
    const row = page.getByTestId('user-row').filter({ hasText: invitee.email });
    await row.getByText('Invited', { exact: true }).waitFor();
    await shot('settings-invited-en');
    const mails = () => smtp.messages.filter((m) => m.envelopeTo.includes(invitee.email));
    await expect.poll(() => mails().length, { timeout: 15_000 }).toBe(1);
    expect(mails()[0]!.subject).toBe('Administrator te ha invitado a Nudge');

    await row.getByRole('button', { name: 'Resend invite' }).click();
    await page.getByRole('status').filter({ hasText: `A new invitation was sent to ${invitee.email}` }).waitFor();
    await expect.poll(() => mails().length, { timeout: 15_000 }).toBe(2);
    const link = (i: number) => /(http:\/\/\S+\/#\/invite\/[A-Za-z0-9_-]+)/.exec(mails()[i]!.text)![1]!;
    expect(link(1).startsWith(`${product.baseUrl}/#/invite/`)).toBe(true);
    await signOut();

    // the first link was replaced by the resend: said in the reader's language (English here)
    await page.goto(link(0));
    await page.getByRole('alert').filter({ hasText: 'A newer invitation was sent to you: use the link in the latest e-mail.' }).waitFor();
    await shot('settings-invite-replaced-en');

    // the latest link: the screen speaks the invitation's language; choosing the password signs in
    await page.goto(link(1));
    await page.getByRole('heading', { name: 'Únete a Nudge' }).waitFor();
    await page.getByText(`Hola, ${invitee.name} (ir***@example.com)`).waitFor();
    await page.getByLabel('Contraseña nueva', { exact: true }).fill('corta');
    await page.getByLabel('Repite la contraseña nueva').fill('corta');
    await page.getByRole('button', { name: 'Guardar mi contraseña y entrar' }).click();
    await page.getByText('Demasiado corta', { exact: false }).first().waitFor();
    await shot('settings-invite-accept-es');
    await page.getByLabel('Contraseña nueva', { exact: true }).fill(invitee.own);
    await page.getByLabel('Repite la contraseña nueva').fill(invitee.own);
    await page.getByRole('button', { name: 'Guardar mi contraseña y entrar' }).click();
    await page.locator('.topbar .user').filter({ hasText: invitee.name }).waitFor();
    expect(page.url()).toContain('#/inbox');
    await shot('settings-invite-signed-in-es');

    // the link works once
    await page.goto(link(1));
    await page.getByRole('alert').filter({ hasText: 'Este enlace de invitación ya se usó.' }).waitFor();
    // back to English and signed out for whoever comes next; the new password works
    await page.evaluate(() => { localStorage.clear(); localStorage.setItem('nudge.lang', 'en'); });
    await page.goto(`${product.baseUrl}/`);
    await page.reload();
    await signIn(invitee.email, invitee.own);
    await nav().waitFor();
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
