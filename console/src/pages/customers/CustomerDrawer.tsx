import { useState } from 'react'
import { Alert, Avatar, Button, Descriptions, Drawer, Grid, List, Space, Spin, Typography } from 'antd'
import { get, type CustomerDetail, type Schemas, type TagGroup } from '../../api'
import { useAuth } from '../../auth'
import { useLoad } from '../../hooks'
import { fmtTime, useI18n } from '../../i18n'
import OwnerModal, { type Owner } from '../ownership/OwnerModal'
import RelationFollowUp from './RelationFollowUp'
import StagePicker from './StagePicker'
import TagEditor from './TagEditor'
import Timeline from './Timeline'

export default function CustomerDrawer({ id, onClose }: { id: number | null; onClose: () => void }) {
  const { tr } = useI18n()
  const screens = Grid.useBreakpoint()
  const detail = useLoad(() => (id ? get<CustomerDetail>(`/customers/${id}`) : Promise.resolve(null)), [id])
  const groups = useLoad(() => get<TagGroup[]>('/tags/groups'), [])
  const { me } = useAuth()
  // 归属员工 (防撞单): operators see and change it; the API serves it to full access only
  const owner = useLoad(
    () => (id && me?.full_access ? get<Owner>(`/acquisition/owners/${id}`) : Promise.resolve(null)),
    [id, me?.full_access],
  )
  const [reassigning, setReassigning] = useState(false)
  // Siyu-only profile facts (birthday, custom fields), edited by staff in the sidebar
  const profile = useLoad(
    () => (id ? get<Schemas['ProfileOut']>(`/customers/${id}/profile`) : Promise.resolve(null)),
    [id],
  )
  const c = detail.data
  return (
    <Drawer
      open={id !== null}
      onClose={onClose}
      size={screens.md ? 'large' : 'default'}
      title={tr('客户详情', 'Customer profile')}
      destroyOnHidden
    >
      {detail.error && <Alert type="error" showIcon message={detail.error} />}
      {detail.loading && !c && <Spin />}
      {c && (
        <Space orientation="vertical" size="large" style={{ width: '100%' }} data-testid="customer-drawer">
          <Space>
            <Avatar size={48} src={c.avatar || undefined}>
              {c.name.slice(0, 1)}
            </Avatar>
            <div>
              <Typography.Title level={4} style={{ margin: 0 }}>
                {c.name}
              </Typography.Title>
              <Typography.Text type="secondary">
                {c.type === 1 ? tr('微信用户', 'WeChat user') : c.corp_name || tr('企业微信用户', 'WeCom user')}
              </Typography.Text>
            </div>
          </Space>
          <Descriptions column={1} size="small" bordered>
            <Descriptions.Item label={tr('客户阶段', 'Stage')}>
              <StagePicker customer={c} onChanged={() => void detail.reload()} />
            </Descriptions.Item>
            {owner.data && (
              <Descriptions.Item label={tr('归属员工', 'Owner')}>
                <Space>
                  <span data-testid="customer-owner">{owner.data.name || tr('无', 'None')}</span>
                  <Button size="small" type="link" onClick={() => setReassigning(true)} data-testid="customer-owner-change">
                    {tr('更换 / 记录', 'Change / history')}
                  </Button>
                </Space>
              </Descriptions.Item>
            )}
            <Descriptions.Item label={tr('首次添加', 'First added')}>{fmtTime(c.first_added_at)}</Descriptions.Item>
            <Descriptions.Item label={tr('性别', 'Gender')}>
              {c.gender === 1 ? tr('男', 'Male') : c.gender === 2 ? tr('女', 'Female') : tr('未知', 'Unknown')}
            </Descriptions.Item>
            {c.deleted_at && (
              <Descriptions.Item label={tr('流失时间', 'Lost at')}>{fmtTime(c.deleted_at)}</Descriptions.Item>
            )}
            {profile.data?.birthday && (
              <Descriptions.Item label={tr('生日', 'Birthday')}>{profile.data.birthday}</Descriptions.Item>
            )}
            {(profile.data?.custom_fields ?? [])
              .filter((f) => f.value != null)
              .map((f) => (
                <Descriptions.Item key={f.field_id} label={f.name}>
                  <span data-testid={`customer-field-${f.field_id}`}>{f.value}</span>
                </Descriptions.Item>
              ))}
          </Descriptions>
          <div>
            <Typography.Title level={5}>{tr('跟进关系', 'Follow relations')}</Typography.Title>
            <List
              bordered
              dataSource={c.relations}
              renderItem={(r) => (
                <List.Item data-testid={`relation-${r.userid}`}>
                  <Space orientation="vertical" style={{ width: '100%' }}>
                    <Space wrap>
                      <Typography.Text strong>{r.employee_name || r.userid}</Typography.Text>
                      {r.remark && <Typography.Text>{tr('备注', 'Remark')}: {r.remark}</Typography.Text>}
                      {r.state && <Typography.Text type="secondary">{tr('渠道', 'Channel')}: {r.channel_name || r.state}</Typography.Text>}
                      <Typography.Text type="secondary">{fmtTime(r.added_at)}</Typography.Text>
                      {r.deleted_at && <Typography.Text type="danger">{tr('已删除', 'Deleted')}</Typography.Text>}
                    </Space>
                    {!r.deleted_at && (me?.visible_userids == null || me.visible_userids.includes(r.userid)) && (
                      <RelationFollowUp customerId={c.id} userid={r.userid} />
                    )}
                    <TagEditor
                      customerId={c.id}
                      userid={r.userid}
                      tags={r.tags}
                      groups={groups.data ?? []}
                      editable={!r.deleted_at}
                      onChanged={() => void detail.reload()}
                    />
                  </Space>
                </List.Item>
              )}
            />
          </div>
          <div>
            <Typography.Title level={5}>{tr('客户动态', 'Timeline')}</Typography.Title>
            <Timeline entries={c.timeline} />
          </div>
        </Space>
      )}
      <OwnerModal
        customerId={reassigning && id ? id : null}
        onClose={(changed) => {
          setReassigning(false)
          if (changed) {
            void owner.reload()
            void detail.reload()
          }
        }}
      />
    </Drawer>
  )
}
