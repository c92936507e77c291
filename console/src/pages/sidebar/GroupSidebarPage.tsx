// The group sidebar (客户群聊天工具栏): opened in a customer group chat, it shows the group's
// owner, members (customers with their tags, staff marked), joins and leaves, the group's tags,
// its SOP to-dos (sent with one tap and ticked) and content to send into the group.
import { useState } from 'react'
import { Alert, Avatar, Button, Card, Checkbox, Empty, List, Segmented, Select, Space, Spin, Tag, Typography } from 'antd'
import { SendOutlined } from '@ant-design/icons'
import { get, post, put, type Page, type Schemas } from '../../api'
import { useAuth } from '../../auth'
import { useCorpTime } from '../../dates'
import { useAction, useLoad } from '../../hooks'
import { useI18n } from '../../i18n'
import type { Todo } from '../sop/types'
import { getCurExternalChat, isStandIn, sendChatMessage } from './jssdk'
import Lazy from './Lazy'
import PhrasePicker from './PhrasePicker'
import { PieceView, RecommendedContent, toMessage } from './SopTodos'

type Sidebar = Schemas['GroupSidebar']
type GroupTag = Schemas['GroupTagOut']

function GroupPicker() {
  const { tr } = useI18n()
  const groups = useLoad(() => get<Page<{ chat_id: string; name: string }>>('/groups', { limit: 30 }), [])
  return (
    <Card size="small" title={tr('沙箱：选择当前客户群', 'Sandbox: choose the group chat')}>
      <Typography.Paragraph type="secondary">
        {tr('在企业微信客户群中，侧边栏通过 JS-SDK 的 getCurExternalChat 获取当前群；在浏览器中请从下方选择。', 'Inside a WeCom group chat the sidebar asks the JS-SDK (getCurExternalChat); in a browser, pick the group below.')}
      </Typography.Paragraph>
      {groups.error && <Alert type="error" showIcon title={groups.error} />}
      <List
        loading={groups.loading}
        dataSource={groups.data?.items ?? []}
        locale={{ emptyText: tr('你还没有客户群。', 'You have no group chats yet.') }}
        renderItem={(g) => (
          <List.Item>
            <a href={`/sidebar/group?chat_id=${encodeURIComponent(g.chat_id)}`}>{g.name || tr('未命名群', 'Unnamed group')}</a>
          </List.Item>
        )}
      />
    </Card>
  )
}

function GroupTags({ g, onChanged }: { g: Sidebar; onChanged: () => void }) {
  const { tr } = useI18n()
  const act = useAction()
  const all = useLoad(() => get<GroupTag[]>('/group-tags'), [])
  return (
    <Select
      mode="multiple"
      size="small"
      style={{ width: '100%' }}
      data-testid="group-tags"
      placeholder={tr('添加群标签', 'Add group tags')}
      loading={all.loading}
      value={g.tags.map((t) => t.id)}
      options={(all.data ?? []).map((t) => ({ value: t.id, label: t.name }))}
      notFoundContent={tr('还没有群标签，请管理员在控制台「客户群」页添加。', 'No group tags yet: an admin adds them on the console’s Group chats page.')}
      onChange={async (ids: number[]) => {
        if ((await act(() => put(`/groups/${encodeURIComponent(g.chat_id)}/tags`, { tag_ids: ids }), tr('群标签已更新', 'Group tags updated'))) !== undefined) onChanged()
      }}
    />
  )
}

function GroupTodos({ chatId }: { chatId: string }) {
  const { tr } = useI18n()
  const act = useAction()
  const fmt = useCorpTime()
  const [busy, setBusy] = useState<number | null>(null)
  const list = useLoad(() => get<Page<Todo>>('/sop/todos', { chat_id: chatId, mine: true }), [chatId])
  const finish = async (t: Todo, ok: string) => {
    if ((await act(() => post(`/sop/todos/${t.id}/finish`, { status: 'done' }), ok)) !== undefined) void list.reload()
  }
  const send = async (t: Todo) => {
    setBusy(t.id)
    try {
      for (const p of t.content) {
        if (!(await sendChatMessage(toMessage(p)))) {
          await act(() => Promise.reject(new Error(tr('发送被取消，待办保持未完成。', 'Sending was cancelled; the to-do stays open.'))))
          return
        }
      }
      await finish(t, isStandIn() ? tr('（沙箱）已发送并完成', '(sandbox) sent and done') : tr('已发送并完成', 'Sent and done'))
    } finally {
      setBusy(null)
    }
  }
  return (
    <Card size="small" title={tr('群 SOP 待办', 'Group SOP to-dos')} data-testid="group-sop">
      {list.error && <Alert type="error" showIcon title={list.error} />}
      <List
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={tr('这个群没有待办。', 'No to-do for this group.')} /> }}
        renderItem={(t) => (
          <List.Item data-testid={`group-todo-${t.id}`} style={{ display: 'block' }}>
            <Space style={{ width: '100%', justifyContent: 'space-between' }}>
              <Checkbox data-testid={`group-todo-tick-${t.id}`} onChange={() => void finish(t, tr('已完成', 'Done'))}>
                <Typography.Text strong>{t.template_name} · {tr(`第 ${t.position} 步`, `step ${t.position}`)}</Typography.Text>
              </Checkbox>
              {t.overdue ? <Tag color="red">{tr('已逾期', 'Overdue')}</Tag> : <Tag color="green">{fmt(t.due_at)}</Tag>}
            </Space>
            <Space orientation="vertical" style={{ width: '100%', margin: '8px 0' }} size={4}>
              {t.content.map((p, i) => <PieceView key={i} p={p} />)}
            </Space>
            <Button type="primary" size="small" icon={<SendOutlined />} loading={busy === t.id} onClick={() => void send(t)}>
              {tr('发送到群', 'Send to the group')}
            </Button>
          </List.Item>
        )}
      />
    </Card>
  )
}

export default function GroupSidebarPage() {
  const { tr, lang, setLang } = useI18n()
  const { me } = useAuth()
  const fmt = useCorpTime()
  const chat = useLoad(() => getCurExternalChat(), [])
  const group = useLoad(() => (chat.data ? get<Sidebar>(`/groups/${encodeURIComponent(chat.data)}/sidebar`) : Promise.resolve(null)), [chat.data])
  const g = group.data
  return (
    <div style={{ maxWidth: 480, margin: '0 auto', padding: 12, background: '#f5f5f5', minHeight: '100vh' }}>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 8 }}>
        <Typography.Text strong>{tr('客户群侧边栏', 'Group sidebar')}</Typography.Text>
        <Segmented size="small" value={lang} onChange={(v) => setLang(v as 'zh' | 'en')} options={[{ label: '中文', value: 'zh' }, { label: 'EN', value: 'en' }]} />
      </Space>
      {(chat.loading || group.loading) && !g && <Spin />}
      {!chat.loading && !chat.data && <GroupPicker />}
      {group.error && <Alert type="error" showIcon title={group.error} />}
      {g && (
        <Space orientation="vertical" style={{ width: '100%' }} size="small" data-testid="group-sidebar">
          <Card size="small">
            <Typography.Title level={5} style={{ margin: 0 }}>{g.name || tr('未命名群', 'Unnamed group')}</Typography.Title>
            <Typography.Text type="secondary" data-testid="group-owner">
              {tr('群主', 'Owner')}: {g.owner_name || tr('未知', 'unknown')} · {tr(`${g.customer_count} 位客户，${g.staff_count} 位员工`, `${g.customer_count} customers, ${g.staff_count} staff`)}
            </Typography.Text>
            <div style={{ marginTop: 8 }}>
              <GroupTags g={g} onChanged={() => void group.reload()} />
            </div>
          </Card>
          <GroupTodos chatId={g.chat_id} />
          <Lazy>
            <PhrasePicker />
          </Lazy>
          <Lazy>
            <RecommendedContent customerId={null} userid={me?.userid ?? null} />
          </Lazy>
          <Lazy>
            <Card size="small" title={tr(`群成员（${g.members.length}）`, `Members (${g.members.length})`)} data-testid="group-members">
              <List
                size="small"
                dataSource={g.members}
                renderItem={(m) => (
                  <List.Item data-testid={`group-member-${m.member_id}`}>
                    <Space orientation="vertical" size={2}>
                      <Space size={4}>
                        <Avatar size="small">{m.name.slice(0, 1)}</Avatar>
                        <Typography.Text>{m.name || tr('未知成员', 'Unknown member')}</Typography.Text>
                        {m.is_owner ? <Tag color="gold">{tr('群主', 'Owner')}</Tag> : m.is_staff ? <Tag color="blue">{tr('员工', 'Staff')}</Tag> : <Tag color="green">{tr('客户', 'Customer')}</Tag>}
                      </Space>
                      {m.tags.length > 0 && (
                        <Space wrap size={[2, 2]}>
                          {m.tags.map((t) => <Tag key={t}>{t}</Tag>)}
                        </Space>
                      )}
                    </Space>
                  </List.Item>
                )}
              />
            </Card>
          </Lazy>
          <Lazy>
            <Card size="small" title={tr('入群 / 退群记录', 'Joins and leaves')} data-testid="group-history">
              <List
                size="small"
                dataSource={g.history}
                locale={{ emptyText: tr('暂无记录', 'Nothing yet') }}
                renderItem={(e) => (
                  <List.Item>
                    <Typography.Text>
                      {e.name || tr('未知成员', 'Unknown member')}
                      {e.is_staff ? tr('（员工）', ' (staff)') : ''} {e.kind === 'joined' ? tr('入群', 'joined') : tr('退群', 'left')}
                    </Typography.Text>
                    <Typography.Text type="secondary">{fmt(e.at)}</Typography.Text>
                  </List.Item>
                )}
              />
            </Card>
          </Lazy>
        </Space>
      )}
    </div>
  )
}
