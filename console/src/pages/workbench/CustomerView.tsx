// A customer in the workbench: who they are to this employee (remark, stage, tags), the
// timeline with names, phrases from the reply library (sent through WeCom's share), and the way
// to the 1:1 sidebar for editing.
import { useNavigate, useParams } from 'react-router-dom'
import { Avatar, Button, Card, DotLoading, ErrorBlock, List, NavBar, Space, Tag } from 'antd-mobile'
import { get, type CustomerDetail } from '../../api'
import { useAuth } from '../../auth'
import { useLoad } from '../../hooks'
import { fmtTime, useI18n } from '../../i18n'
import Timeline from '../customers/Timeline'
import PhrasePicker, { shareArgs } from '../sidebar/PhrasePicker'
import { shareToExternalContact } from '../sidebar/jssdk'
import { TagLine } from './common'

export default function CustomerView() {
  const { tr } = useI18n()
  const { me } = useAuth()
  const { id } = useParams()
  const nav = useNavigate()
  const detail = useLoad(() => get<CustomerDetail>(`/customers/${id}`), [id])
  const c = detail.data
  const mine = c?.relations.find((r) => r.userid === me?.userid && !r.deleted_at) ?? c?.relations.find((r) => !r.deleted_at)
  return (
    <div data-testid="wb-customer-detail">
      <NavBar onBack={() => nav(-1)}>{c?.name ?? tr('客户', 'Customer')}</NavBar>
      {detail.loading && !c && <div style={{ textAlign: 'center', padding: 24 }}><DotLoading /></div>}
      {detail.error && <ErrorBlock status="default" title={detail.error} description="" />}
      {c && (
        <div style={{ padding: 8 }}>
          <Card style={{ marginBottom: 8 }}>
            <Space align="center" style={{ '--gap': '12px' }}>
              <Avatar src={c.avatar || ''} style={{ '--size': '48px', '--border-radius': '50%' }} />
              <div>
                <div style={{ fontSize: 17, fontWeight: 600 }}>{c.name}</div>
                <div style={{ color: '#888', fontSize: 13 }}>
                  {mine?.remark ? `${tr('备注', 'Remark')}：${mine.remark} · ` : ''}
                  {tr('添加于', 'Added')} {fmtTime(mine?.added_at ?? c.first_added_at)}
                </div>
                {c.stage_name && <Tag color="success" fill="outline">{c.stage_name}</Tag>}
              </div>
            </Space>
          </Card>
          <List header={tr('资料', 'Profile')} style={{ marginBottom: 8 }}>
            {mine?.description && <List.Item title={tr('描述', 'Description')}>{mine.description}</List.Item>}
            {!!mine?.remark_mobiles.length && <List.Item title={tr('电话', 'Phone')}>{mine.remark_mobiles.join('，')}</List.Item>}
            {(mine?.remark_corp_name || c.corp_name) && <List.Item title={tr('企业', 'Company')}>{mine?.remark_corp_name || c.corp_name}</List.Item>}
            {mine?.channel_name && <List.Item title={tr('来源渠道', 'Channel')}>{mine.channel_name}</List.Item>}
            <List.Item title={tr('标签', 'Tags')}>
              {c.tags.length ? <TagLine names={c.tags.map((t) => t.name)} /> : tr('暂无标签', 'No tags')}
            </List.Item>
          </List>
          <Button block color="primary" fill="outline" style={{ marginBottom: 8 }} onClick={() => { location.href = `/sidebar?external_userid=${encodeURIComponent(c.external_userid)}` }} data-testid="wb-open-sidebar">
            {tr('打开客户侧边栏（编辑资料、标签、跟进）', 'Open the customer sidebar (edit profile, tags, notes)')}
          </Button>
          <div style={{ marginBottom: 8 }}>
            {/* no chat is open in the workbench: a phrase goes to this customer through WeCom's share */}
            <PhrasePicker send={(m) => shareToExternalContact({ ...shareArgs(m), externalUserIds: [c.external_userid] })} />
          </div>
          <Card title={tr('客户动态', 'Timeline')}>
            <Timeline entries={c.timeline} />
          </Card>
        </div>
      )}
    </div>
  )
}
