// The chat sidebar (聊天工具栏) for frontline staff: a mobile page next to a WeCom chat.
import { useState } from 'react'
import { Alert, Avatar, Button, Card, Empty, Input, List, Segmented, Space, Spin, Typography } from 'antd'
import { get, post, type Customer, type CustomerDetail, type Page, type TagGroup } from '../../api'
import { useAuth } from '../../auth'
import { useAction, useLoad } from '../../hooks'
import { fmtTime, useI18n } from '../../i18n'
import TagEditor from '../customers/TagEditor'
import Timeline from '../customers/Timeline'
import { getCurExternalContact } from './jssdk'
import MyTasks from './MyTasks'
import PhrasePicker from './PhrasePicker'
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
  const groups = useLoad(() => get<TagGroup[]>('/tags/groups'), [])
  const c = detail.data
  const mine = c?.relations.find((r) => r.userid === me?.userid) ?? c?.relations.find((r) => !r.deleted_at)
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
          <Card size="small">
            <Space>
              <Avatar size={44} src={c.avatar || undefined}>{c.name.slice(0, 1)}</Avatar>
              <div>
                <Typography.Title level={5} style={{ margin: 0 }}>{c.name}</Typography.Title>
                <Typography.Text type="secondary">
                  {mine?.remark ? `${tr('备注', 'Remark')}: ${mine.remark} · ` : ''}
                  {tr('添加于', 'Added')} {fmtTime(mine?.added_at ?? c.first_added_at)}
                </Typography.Text>
              </div>
            </Space>
          </Card>
          <SopTodos externalUserid={c.external_userid} onDone={() => void detail.reload()} />
          <MyTasks externalUserid={c.external_userid} />
          <RecommendedContent customerId={c.id} userid={me?.userid ?? null} />
          <PhrasePicker />
          <Card size="small" title={tr('标签', 'Tags')}>
            {mine ? (
              <TagEditor customerId={c.id} userid={mine.userid} tags={mine.tags} groups={groups.data ?? []} editable={!mine.deleted_at} onChanged={() => void detail.reload()} />
            ) : (
              <Empty description={tr('你与该客户没有跟进关系。', 'You do not follow this customer.')} />
            )}
          </Card>
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
          <Card size="small" title={tr('客户动态', 'Timeline')}>
            <Timeline entries={c.timeline} />
          </Card>
        </Space>
      )}
    </div>
  )
}
