/** The registered citizen's main places: home (scan), requests, "Me". */
import { navigate, type Screen } from '../router';
import { Icon, type IconName } from './Icon';
import { useT } from './use-t';

export function TabBar({ current, requests = 0 }: { current: Screen; requests?: number }) {
  const { t, n } = useT();
  const tab = (screen: Screen, label: string, icon: IconName, badge?: number) => (
    <button
      type="button"
      className={current === screen ? 'tab current' : 'tab'}
      data-testid={`tab-${screen}`}
      aria-current={current === screen ? 'page' : undefined}
      onClick={() => navigate(screen)}
    >
      <span className="tab-icon">
        <Icon name={icon} size={26} />
      </span>
      <span>{label}</span>
      {badge ? (
        <span className="badge">
          <span aria-hidden="true">{n(badge)}</span>
          <span className="visually-hidden">{t('requests.count', { count: badge })}</span>
        </span>
      ) : null}
    </button>
  );
  return (
    <nav className="tabbar" aria-label={t('nav.main')}>
      {tab('home', t('nav.home'), 'home')}
      {tab('requests', t('nav.requests'), 'requests', requests)}
      {tab('me', t('nav.me'), 'me')}
    </nav>
  );
}
