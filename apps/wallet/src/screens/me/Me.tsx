/**
 * "Me": the citizen's own account. Each section opens on demand (and only then asks the server),
 * which keeps the screen light on a slow connection.
 */
import { type ReactNode, useState } from 'react';
import { navigate } from '../../router';
import { ScreenFrame } from '../../ui/components';
import { LanguageSwitch } from '../../ui/LanguageSwitch';
import { TabBar } from '../../ui/TabBar';
import { useT } from '../../ui/use-t';
import { ConnectionsSection } from './Connections';
import { HistorySection } from './History';
import { NotificationsSection } from './Notifications';
import { ProfileSection } from './Profile';
import { ChangePinSection, ExportSection, LockSection } from './Security';

function Section({
  id,
  title,
  open: startOpen = false,
  children,
}: {
  id: string;
  title: string;
  open?: boolean;
  children: () => ReactNode;
}) {
  const [open, setOpen] = useState(startOpen);
  return (
    <details
      className="section"
      data-testid={`me-${id}`}
      open={open}
      onToggle={(event) => setOpen((event.currentTarget as HTMLDetailsElement).open)}
    >
      <summary data-testid={`me-${id}-toggle`}>{title}</summary>
      {open ? <div className="section-body">{children()}</div> : null}
    </details>
  );
}

export function MeScreen() {
  const { t } = useT();
  return (
    <ScreenFrame
      title={t('me.title')}
      onBack={() => navigate('home')}
      testId="me"
      footer={<TabBar current="me" />}
    >
      <Section id="profile" title={t('me.profile.title')} open>
        {() => <ProfileSection />}
      </Section>
      <Section id="history" title={t('me.history.title')}>
        {() => <HistorySection />}
      </Section>
      <Section id="connections" title={t('me.connections.title')}>
        {() => <ConnectionsSection />}
      </Section>
      <Section id="pin" title={t('me.pin.title')}>
        {() => <ChangePinSection />}
      </Section>
      <Section id="language" title={t('settings.language')}>
        {() => <LanguageSwitch />}
      </Section>
      <Section id="notifications" title={t('me.push.title')}>
        {() => <NotificationsSection />}
      </Section>
      <Section id="lock" title={t('me.lock.title')}>
        {() => <LockSection />}
      </Section>
      <Section id="export" title={t('me.export.title')}>
        {() => <ExportSection />}
      </Section>
      <button
        type="button"
        className="btn link"
        data-testid="me-settings"
        onClick={() => navigate('settings')}
      >
        {t('settings.title')}
      </button>
    </ScreenFrame>
  );
}
