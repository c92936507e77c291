// The chat sidebar (聊天工具栏) for frontline staff: a mobile page next to a WeCom chat.
// The essentials (name, remark, stage, next follow-up, tags) come first and fit a 375×667
// screen; the profile editor, SOP to-dos, tasks, content, notes and timeline load as the
// employee scrolls to them.
import { useEffect, useState } from 'react'
import { Alert, Avatar, Button, Card, Input, List, Segmented, Space, Spin, Typography } from 'antd'
import { get, post, type Customer, type CustomerDetail, type Page, type Schemas, type TagGroup } from '../../api'
import { useAuth } from '../../auth'
import { useAction, useLoad } from '../../hooks'
import { fmtTime, useI18n } from '../../i18n'
import TagEditor from '../customers/TagEditor'
import Timeline from '../customers/Timeline'
import { getCurExternalContact } from './jssdk'
import { FollowUpPicker, StagePicker } from './Essentials'
import Lazy from './Lazy'
import MyTasks from './MyTasks'
import PhrasePicker from './PhrasePicker'
import ProfileEditor from './ProfileEditor'
import { RecommendedContent, SopTodos } from './SopTodos'

function Picker() {
  const { tr } = useI18n()
  const mine = useLoad(() => get<Page<Customer>>('/customers', { limit: 30 }), [])
  return (
    <Card size="small" title={tr('沙箱：选择当前聊天的客户', 'Sandbox: choose the chat’s customer')}>
      <Typography.Paragraph type="secondary">
        {tr('在企业微信中，侧边栏通过 JS-SDK 的 getCurExternalContact 获取当前客户；在浏览器中请从下方选择。', 'Inside WeCom the sidebar asks the JS-SDK (getCurExternalContact); in a browser, pick the customer below.')}
      </Typography.Paragraph>
      {mine.error && <Alert type="error" showIcon message={mine.error} />}
      <List
        loading={mine.loading}
        dataSource={mine.data?.items ?? []}
        locale={{ emptyText: tr('你还没有客户。', 'You have no customers yet.') }}
        renderItem={(c) => (
          <List.Item>
            <a href={`/sidebar?external_userid=${encodeURIComponent(c.external_userid)}`}>{c.name || tr('未命名客户', 'Unnamed customer')}</a>
          </List.Item>
        )}
      />
    </Card>
  )
}

type Profile = Schemas['ProfileOut']

export default function SidebarPage() {
  const { tr, lang, setLang } = useI18n()
  const { me } = useAuth()
  const act = useAction()
  const [note, setNote] = useState('')
  const ext = useLoad(() => getCurExternalContact(), [])
  const detail = useLoad(
    () => (ext.data ? get<CustomerDetail>(`/customers/by-external/${encodeURIComponent(ext.data)}`) : Promise.resolve(null)),
    [ext.data],
  )
  const c = detail.data
  const profile = useLoad(() => (c ? get<Profile>(`/customers/${c.id}/profile`) : Promise.resolve(null)), [c?.id])
  const groups = useLoad(() => get<TagGroup[]>('/tags/groups'), [])
  const mine = c?.relations.find((r) => r.userid === me?.userid) ?? c?.relations.find((r) => !r.deleted_at)
  const p = profile.data
  // a remark write on its way to WeCom: poll until WeCom accepted (or refused) it
  const waiting = p?.write && (p.write.status === 'pending' || p.write.status === 'sending')
  useEffect(() => {
    if (!waiting) return
    const t = setTimeout(async () => {
      await profile.reload()
      await detail.reload()
    }, 1000)
    return () => clearTimeout(t)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [waiting, p])
  const remark = p?.userid ? p.remark : mine?.remark
  return (
    <div style={{ maxWidth: 480, margin: '0 auto', padding: 12, background: '#f5f5f5', minHeight: '100vh' }}>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 8 }}>
        <Typography.Text strong>{tr('客户侧边栏', 'Customer sidebar')}</Typography.Text>
        <Segmented size="small" value={lang} onChange={(v) => setLang(v as 'zh' | 'en')} options={[{ label: '中文', value: 'zh' }, { label: 'EN', value: 'en' }]} />
      </Space>
      {(ext.loading || detail.loading) && !c && <Spin />}
      {ext.error && <Alert type="error" showIcon data-testid="jssdk-error" message={tr('无法连接企业微信', 'Cannot reach WeCom')} description={ext.error} />}
      {!ext.loading && !ext.error && !ext.data && <Picker />}
      {detail.error && <Alert type="error" showIcon message={detail.error} />}
      {c && (
        <Space orientation="vertical" style={{ width: '100%' }} size="small" data-testid="sidebar-customer">
          <Card size="small" data-testid="sidebar-essentials">
            <Space align="start">
              <Avatar size={44} src={c.avatar || undefined}>{c.name.slice(0, 1)}</Avatar>
              <div>
                <Typography.Title level={5} style={{ margin: 0 }}>{c.name}</Typography.Title>
                <Typography.Text type="secondary" data-testid="sidebar-remark">
                  {remark ? `${tr('备注', 'Remark')}: ${remark} · ` : ''}
                  {tr('添加于', 'Added')} {fmtTime(mine?.added_at ?? c.first_added_at)}
                </Typography.Text>
              </div>
            </Space>
            <Space orientation="vertical" size={6} style={{ width: '100%', marginTop: 8 }}>
              <Space size={4}>
                <Typography.Text type="secondary">{tr('阶段', 'Stage')}:</Typography.Text>
                <StagePicker customerId={c.id} stageId={c.stage_id} onChanged={() => void detail.reload()} />
              </Space>
              {p && <FollowUpPicker key={p.follow_up?.due_at ?? 'none'} customerId={c.id} profile={p} onChanged={() => void profile.reload()} />}
              {mine ? (
                <TagEditor customerId={c.id} userid={mine.userid} tags={mine.tags} groups={groups.data ?? []} editable={!mine.deleted_at} onChanged={() => void detail.reload()} />
              ) : (
                <Typography.Text type="secondary">{tr('你与该客户没有跟进关系。', 'You do not follow this customer.')}</Typography.Text>
              )}
            </Space>
          </Card>
          {profile.error && <Alert type="error" showIcon title={profile.error} />}
          {p && <ProfileEditor customerId={c.id} profile={p} onSaved={(x) => profile.setData(x)} />}
          <Lazy>
            <SopTodos externalUserid={c.external_userid} onDone={() => void detail.reload()} />
          </Lazy>
          <Lazy>
            <MyTasks externalUserid={c.external_userid} />
          </Lazy>
          <Lazy>
            <RecommendedContent customerId={c.id} userid={me?.userid ?? null} />
          </Lazy>
          <Lazy>
            <PhrasePicker />
          </Lazy>
          <Lazy>
            <Card size="small" title={tr('跟进记录', 'Follow-up note')}>
              <Input.TextArea rows={3} maxLength={1000} value={note} onChange={(e) => setNote(e.target.value)} placeholder={tr('记录本次沟通要点…', 'What did you talk about?')} />
              <Button
                type="primary"
                block
                style={{ marginTop: 8 }}
                disabled={!note.trim()}
                onClick={async () => {
                  if ((await act(() => post(`/customers/${c.id}/notes`, { text: note }), tr('已保存', 'Saved'))) !== undefined) {
                    setNote('')
                    void detail.reload()
                  }
                }}
              >
                {tr('保存记录', 'Save note')}
              </Button>
            </Card>
          </Lazy>
          <Lazy>
            <Card size="small" title={tr('客户动态', 'Timeline')}>
              <Timeline entries={c.timeline} />
            </Card>
          </Lazy>
        </Space>
      )}
    </div>
  )
}
