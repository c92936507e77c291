// 流失与撞单: the loss list (流失客户, both directions), collisions under the collision lock
// (防撞单) with owner reassignment, and the two switches (?tab=collisions | settings).
import { useState } from 'react'
import { Alert, Card, Descriptions, Switch, Tabs, Typography } from 'antd'
import { useSearchParams } from 'react-router-dom'
import { get, put, type Schemas } from '../../api'
import { useAction, useLoad } from '../../hooks'
import { useI18n } from '../../i18n'
import { useDirectory } from '../directory'
import CustomerDrawer from '../customers/CustomerDrawer'
import Collisions from './Collisions'
import LossList from './LossList'

type Settings = Schemas['SettingsIO']

export default function OwnershipPage() {
  const { tr } = useI18n()
  const dir = useDirectory()
  const act = useAction()
  const [params, setParams] = useSearchParams()
  const tab = params.get('tab') === 'collisions' ? 'collisions' : params.get('tab') === 'settings' ? 'settings' : 'losses'
  const [customer, setCustomer] = useState<number | null>(null)
  const settings = useLoad(() => get<Settings>('/acquisition/settings'), [])
  const s = settings.data
  const save = async (change: Partial<Settings>, ok: string) => {
    if (!s) return
    const next = await act(() => put<Settings>('/acquisition/settings', { ...s, ...change }), ok)
    if (next) settings.setData(next)
  }
  return (
    <Card title={tr('流失与撞单', 'Losses & collisions')}>
      <Tabs
        activeKey={tab}
        destroyOnHidden // a tab reads the lists afresh when it opens
        onChange={(k) => setParams(k === 'losses' ? {} : { tab: k }, { replace: true })}
        items={[
          {
            key: 'losses',
            label: tr('流失客户', 'Lost customers'),
            children: <LossList dir={dir} onCustomer={setCustomer} />,
          },
          {
            key: 'collisions',
            label: tr('撞单记录', 'Collisions'),
            children: <Collisions dir={dir} locked={!!s?.collision_lock} onCustomer={setCustomer} />,
          },
          {
            key: 'settings',
            label: tr('设置', 'Settings'),
            children: (
              <>
                {settings.error && <Alert type="error" showIcon title={settings.error} />}
                <Descriptions column={1} bordered size="middle" style={{ maxWidth: 860 }} styles={{ label: { width: 120, whiteSpace: 'nowrap' } }}>
                  <Descriptions.Item label={tr('防撞单', 'Collision lock')}>
                    <Switch
                      checked={!!s?.collision_lock}
                      disabled={!s}
                      data-testid="setting-collision-lock"
                      onChange={(on) => void save({ collision_lock: on }, on ? tr('防撞单已开启', 'Collision lock on') : tr('防撞单已关闭', 'Collision lock off'))}
                    />
                    <Typography.Paragraph type="secondary" style={{ margin: '8px 0 0' }}>
                      {tr(
                        '开启后，客户归属于第一位添加他的员工；客户再添加其他员工时记录撞单，并通过应用消息提醒两位员工，归属不变（运营可在撞单记录中更换）。',
                        'On: a customer belongs to the first employee who added them; adding another employee records a collision and notifies both by app message; the owner stays (operators reassign under Collisions).',
                      )}
                    </Typography.Paragraph>
                  </Descriptions.Item>
                  <Descriptions.Item label={tr('流失提醒', 'Loss alerts')}>
                    <Switch
                      checked={!!s?.loss_alerts}
                      disabled={!s}
                      data-testid="setting-loss-alerts"
                      onChange={(on) => void save({ loss_alerts: on }, on ? tr('流失提醒已开启', 'Loss alerts on') : tr('流失提醒已关闭', 'Loss alerts off'))}
                    />
                    <Typography.Paragraph type="secondary" style={{ margin: '8px 0 0' }}>
                      {tr(
                        '开启后，客户删除员工时，该员工会收到应用消息提醒，可在侧边栏查看客户并尝试挽回。员工删除客户只记录，不提醒。',
                        'On: when a customer deletes an employee, that employee gets an app message to try to win them back. An employee deleting a customer is recorded, not alerted.',
                      )}
                    </Typography.Paragraph>
                  </Descriptions.Item>
                </Descriptions>
              </>
            ),
          },
        ]}
      />
      <CustomerDrawer id={customer} onClose={() => setCustomer(null)} />
    </Card>
  )
}
