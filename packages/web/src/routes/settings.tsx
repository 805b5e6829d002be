import { permissions, useMe } from '../lib/session.ts';
import { useUrlState } from '../lib/url-state.ts';
import { ApiKeysSection } from '../features/settings/api-keys.tsx';
import { PeopleSection } from '../features/settings/people.tsx';
import { PricesSection } from '../features/settings/prices.tsx';
import { EmptyState } from '../features/ui/states.tsx';

const TABS = [['keys', 'API keys'], ['people', 'People'], ['prices', 'Prices']] as const;

export function SettingsPage() {
  const [params, update] = useUrlState();
  const me = useMe();
  const { isAdmin } = permissions(me.data);
  const tab = params.get('tab') ?? (isAdmin ? 'keys' : 'prices');
  const adminOnly = <EmptyState title="Only admins manage this.">Ask an owner or admin of your team.</EmptyState>;
  return (
    <>
      <h1>Settings</h1>
      <div role="tablist" aria-label="Settings" className="tabs">
        {TABS.map(([value, label]) => <button key={value} role="tab" type="button" aria-selected={tab === value} onClick={() => update({ tab: value })}>{label}</button>)}
      </div>
      <div role="tabpanel" className="tabpanel">
        {tab === 'keys' && (isAdmin ? <ApiKeysSection /> : adminOnly)}
        {tab === 'people' && (isAdmin ? <PeopleSection /> : adminOnly)}
        {tab === 'prices' && <PricesSection canEdit={isAdmin} />}
      </div>
    </>
  );
}
