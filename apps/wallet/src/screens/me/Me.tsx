/**
 * "Me": the citizen's own account. Each section opens on demand (and only then asks the server),
 * which keeps the screen light on a slow connection. The sections used least (active sessions,
 * devices and Face ID, phone number and e-mail) are also loaded only when first opened.
 */
import { type ComponentType, lazy, type ReactNode, Suspense, useState } from 'react';
import { networkError } from '../../api/errors';
import { navigate } from '../../router';
import { ErrorBox, Loading, ScreenFrame } from '../../ui/components';
import { LanguageSwitch } from '../../ui/LanguageSwitch';
import { TabBar } from '../../ui/TabBar';
import { useT } from '../../ui/use-t';
import { ConnectionsSection } from './Connections';
import { HistorySection } from './History';
import { NotificationsSection } from './Notifications';
import { ProfileSection } from './Profile';
import { ChangePinSection, ExportSection, LockSection } from './Security';
import { SignaturesSection } from './Signatures';

/** Shown instead of a section whose code could not be loaded (no connection, or a new version). */
function SectionUnavailable() {
  const { t } = useT();
  return (
    <div data-testid="section-unavailable">
      <ErrorBox error={networkError()} />
      <button type="button" className="btn secondary" onClick={() => location.reload()}>
        {t('common.retry')}
      </button>
    </div>
  );
}

/** A section loaded when first opened; the app has no error boundary, so a failed load is drawn. */
const lazySection = (load: () => Promise<ComponentType>) =>
  lazy<ComponentType>(() =>
    load().then(
      (Section) => ({ default: Section }),
      () => ({ default: SectionUnavailable }),
    ),
  );

const SessionsSection = lazySection(() => import('./Sessions').then((m) => m.SessionsSection));
const DevicesSection = lazySection(() => import('./Devices').then((m) => m.DevicesSection));
const ContactSection = lazySection(() => import('./Contact').then((m) => m.ContactSection));

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
      {open ? (
        <div className="section-body">
          <Suspense fallback={<Loading />}>{children()}</Suspense>
        </div>
      ) : null}
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
      <Section id="signatures" title={t('me.signatures.title')}>
        {() => <SignaturesSection />}
      </Section>
      <Section id="connections" title={t('me.connections.title')}>
        {() => <ConnectionsSection />}
      </Section>
      <Section id="sessions" title={t('me.sessions.title')}>
        {() => <SessionsSection />}
      </Section>
      <Section id="devices" title={t('me.devices.title')}>
        {() => <DevicesSection />}
      </Section>
      <Section id="contact" title={t('me.contact.title')}>
        {() => <ContactSection />}
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
