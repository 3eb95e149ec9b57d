// Inbox metrics report: auto-reply trigger rate and keyword coverage against their targets, the
// unmatched questions to write new rules from, hand-off rate per rule (flagged above 40%),
// silence after an auto-reply, and the agents' response times and resolution rate with the
// team mean + 2σ alert. A table per topic: the figures are few and each needs its target beside it.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatNumber, formatPercent } from '../i18n/format';
import { EmptyState, ErrorBanner, Spinner, useLoad } from '../ui/common';
import { inboxApi } from './api';
import { formatDuration, metricsApi, PERIODS, type PeriodDays } from './metrics';

/** The weekly review's target for the median first response (SPEC G). */
const FIRST_RESPONSE_TARGET_S = 15 * 60;

export function MetricsView() {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const [days, setDays] = useState<PeriodDays>(7);
  const [teamId, setTeamId] = useState('');
  const teams = useLoad((signal) => inboxApi.teams(signal), []);
  const q = useLoad((signal) => metricsApi.get(days, teamId || undefined, signal), [days, teamId]);
  const pct = (x: number | null) => formatPercent(x, lng);
  const n = (x: number) => formatNumber(x, lng);

  const head = (
    <header className="page-head">
      <h2>{t('metrics.title')}</h2>
      <div className="row">
        <label className="row small">
          {t('metrics.period')}
          <select value={days} onChange={(e) => setDays(Number(e.target.value) as PeriodDays)}>
            {PERIODS.map((d) => (
              <option key={d} value={d}>{t('metrics.lastDays', { count: d })}</option>
            ))}
          </select>
        </label>
        <label className="row small">
          {t('metrics.team')}
          <select value={teamId} onChange={(e) => setTeamId(e.target.value)}>
            <option value="">{t('metrics.allTeams')}</option>
            {(teams.data ?? []).map((x) => (
              <option key={x.id} value={x.id}>{x.name}</option>
            ))}
          </select>
        </label>
      </div>
    </header>
  );
  if (q.error) return <section className="page metrics-page">{head}<ErrorBanner error={q.error} onRetry={q.reload} /></section>;
  if (!q.data) return <section className="page metrics-page">{head}<Spinner /></section>;
  const m = q.data;
  const a = m.autoReplies;
  const ag = m.agents;
  const stat = (ok: boolean | null) => (ok === null ? 'stat' : `stat ${ok ? 'good' : 'bad'}`);
  const median = ag.medianFirstResponseSeconds;

  return (
    <section className="page metrics-page">
      {head}
      <div className="stat-grid" data-testid="metrics-stats">
        <div className={stat(a.triggerRate === null ? null : a.triggerRate >= m.targets.triggerRate)} data-testid="metric-trigger">
          <span className="stat-value">{pct(a.triggerRate)}</span>
          <span className="stat-label">{t('metrics.triggerRate', { target: pct(m.targets.triggerRate) })}</span>
          <span className="stat-label">{t('metrics.ofMessages', { count: a.botMessages, part: n(a.triggered), formatted: n(a.botMessages) })}</span>
        </div>
        <div className={stat(a.keywordCoverage === null ? null : a.keywordCoverage >= m.targets.keywordCoverage)} data-testid="metric-coverage">
          <span className="stat-value">{pct(a.keywordCoverage)}</span>
          <span className="stat-label">{t('metrics.coverage', { target: pct(m.targets.keywordCoverage) })}</span>
          <span className="stat-label">{t('metrics.ofQuestions', { count: a.questions, part: n(a.matched), formatted: n(a.questions) })}</span>
        </div>
        <div className="stat" data-testid="metric-silence">
          <span className="stat-value">{pct(m.silence.share)}</span>
          <span className="stat-label">{t('metrics.silence', { hours: m.targets.silenceHours })}</span>
          <span className="stat-label">{t('metrics.ofReplies', { count: m.silence.decided, part: n(m.silence.silent), formatted: n(m.silence.decided) })}</span>
        </div>
        <div className={stat(median === null ? null : median <= FIRST_RESPONSE_TARGET_S)} data-testid="metric-first-response">
          <span className="stat-value">{formatDuration(median, lng)}</span>
          <span className="stat-label">{t('metrics.medianFirst', { target: formatDuration(FIRST_RESPONSE_TARGET_S, lng) })}</span>
        </div>
        <div className="stat" data-testid="metric-response">
          <span className="stat-value">{formatDuration(ag.avgResponseSeconds, lng)}</span>
          <span className="stat-label">{t('metrics.avgResponse')}</span>
        </div>
        <div className="stat" data-testid="metric-resolution">
          <span className="stat-value">{pct(ag.resolutionRate)}</span>
          <span className="stat-label">{t('metrics.resolution')}</span>
          <span className="stat-label">{t('metrics.ofConversations', { count: ag.conversations, part: n(ag.resolved), formatted: n(ag.conversations) })}</span>
        </div>
      </div>
      <p className="muted small">{t('metrics.botHint', { inbound: n(a.inbound), bot: n(a.botMessages) })}</p>

      <div className="two-col">
        <div className="card">
          <h3>{t('metrics.rules')}</h3>
          <p className="muted small">{t('metrics.rulesHint', { target: pct(m.targets.handoffRate) })}</p>
          {m.rules.length === 0 ? (
            <EmptyState title={t('metrics.noRules')} />
          ) : (
            <table className="table compact" data-testid="metrics-rules">
              <thead>
                <tr>
                  <th>{t('metrics.rule')}</th>
                  <th>{t('metrics.conversations')}</th>
                  <th>{t('metrics.handedOff')}</th>
                  <th>{t('metrics.handoffRate')}</th>
                </tr>
              </thead>
              <tbody>
                {m.rules.map((r) => (
                  <tr key={r.ruleId ?? 'none'} className={r.flagged ? 'row-error' : undefined} data-flagged={r.flagged || undefined}>
                    <td>
                      {r.name ?? (r.ruleId ? t('metrics.deletedRule') : t('metrics.unknownRule'))}
                      {r.flagged && <span className="pill status-failed metrics-flag">{t('metrics.flagRule')}</span>}
                    </td>
                    <td>{n(r.conversations)}</td>
                    <td>{n(r.handedOff)}</td>
                    <td>{pct(r.handoffRate)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
        <div className="card">
          <h3>{t('metrics.unmatched')}</h3>
          <p className="muted small">{t('metrics.unmatchedHint', { count: m.unmatched.total, formatted: n(m.unmatched.total) })}</p>
          {m.unmatched.top.length === 0 ? (
            <EmptyState title={t('metrics.noUnmatched')} />
          ) : (
            <table className="table compact" data-testid="metrics-unmatched">
              <thead>
                <tr>
                  <th>{t('metrics.question')}</th>
                  <th>{t('metrics.times')}</th>
                </tr>
              </thead>
              <tbody>
                {m.unmatched.top.map((u) => (
                  <tr key={u.text}>
                    <td>{u.text}</td>
                    <td>{n(u.count)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </div>

      <div className="card">
        <h3>{t('metrics.agents')}</h3>
        <p className="muted small">{t('metrics.agentsHint')}</p>
        {ag.rows.length === 0 ? (
          <EmptyState title={t('metrics.noAgents')} />
        ) : (
          <table className="table compact" data-testid="metrics-agents">
            <thead>
              <tr>
                <th>{t('metrics.agent')}</th>
                <th>{t('metrics.team')}</th>
                <th>{t('metrics.replies')}</th>
                <th>{t('metrics.firstResponse')}</th>
                <th>{t('metrics.avgResponseCol')}</th>
                <th>{t('metrics.resolutionCol')}</th>
              </tr>
            </thead>
            <tbody>
              {ag.rows.map((r) => (
                <tr key={r.userId} className={r.alert ? 'row-error' : undefined} data-alert={r.alert || undefined}>
                  <td>
                    {r.name}
                    {r.alert && <span className="pill status-failed metrics-flag">{t('metrics.flagAgent')}</span>}
                  </td>
                  <td>{r.teamName ?? '—'}</td>
                  <td>{n(r.replies)}</td>
                  <td>{formatDuration(r.avgFirstResponseSeconds, lng)}</td>
                  <td>{formatDuration(r.avgResponseSeconds, lng)}</td>
                  <td>{pct(r.resolutionRate)} <span className="muted small">({n(r.resolved)}/{n(r.conversations)})</span></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {ag.teams.length > 0 && (
          <ul className="link-list small muted" data-testid="metrics-teams">
            {ag.teams.map((x) => (
              <li key={x.teamId ?? 'none'}>
                {x.alertAboveSeconds === null ? t('metrics.teamLineAlone', { team: x.teamName ?? t('metrics.noTeam'), mean: formatDuration(x.meanResponseSeconds, lng) }) : t('metrics.teamLine', {
                  team: x.teamName ?? t('metrics.noTeam'),
                  mean: formatDuration(x.meanResponseSeconds, lng),
                  sigma: formatDuration(x.sigmaSeconds, lng),
                  above: formatDuration(x.alertAboveSeconds, lng),
                  count: x.agents,
                })}
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
