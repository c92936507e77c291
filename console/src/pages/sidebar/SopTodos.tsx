// The sidebar's SOP to-dos for the current customer and recommended content, each sent with
// one tap through the JS-SDK (sendChatMessage); a sent SOP to-do is marked done.
import { useState } from 'react'
import { Alert, Button, Card, Empty, Input, List, Space, Tag, Typography } from 'antd'
import { SendOutlined } from '@ant-design/icons'
import { get, post, type Page } from '../../api'
import { useAction, useLoad } from '../../hooks'
import { fmtTime, useI18n } from '../../i18n'
import { KIND_NAMES, type ContentItem, type ContentPiece, type Todo } from '../sop/types'
import { isStandIn, sendChatMessage, type ChatMessage } from './jssdk'

export function toMessage(p: ContentPiece): ChatMessage {
  if (p.kind === 'text' || !p.url) return { msgtype: 'text', text: { content: p.text || p.title } }
  return { msgtype: 'news', news: { link: p.url, title: p.title, desc: p.description, imgUrl: p.cover } }
}

export function PieceView({ p }: { p: ContentPiece }) {
  const { tr } = useI18n()
  if (p.kind === 'text') return <Typography.Paragraph style={{ margin: 0, whiteSpace: 'pre-wrap' }}>{p.text || p.title}</Typography.Paragraph>
  return (
    <Space>
      <Tag>{tr(...(KIND_NAMES[p.kind] ?? [p.kind, p.kind]))}</Tag>
      <Typography.Text strong>{p.title}</Typography.Text>
    </Space>
  )
}

export function SopTodos({ externalUserid, onDone }: { externalUserid: string; onDone: () => void }) {
  const { tr } = useI18n()
  const act = useAction()
  const [busy, setBusy] = useState<number | null>(null)
  const list = useLoad(() => get<Page<Todo>>('/sop/todos', { external_userid: externalUserid, mine: true }), [externalUserid])
  const items = list.data?.items ?? []

  async function send(t: Todo) {
    setBusy(t.id)
    try {
      for (const p of t.content) {
        if (!(await sendChatMessage(toMessage(p)))) {
          await act(() => Promise.reject(new Error(tr('发送被取消，待办保持未完成。', 'Sending was cancelled; the to-do stays open.'))))
          return
        }
      }
      const ok = await act(() => post(`/sop/todos/${t.id}/finish`, { status: 'done' }), isStandIn() ? tr('（沙箱）已发送并完成', '(sandbox) sent and done') : tr('已发送并完成', 'Sent and done'))
      if (ok !== undefined) {
        void list.reload()
        onDone()
      }
    } finally {
      setBusy(null)
    }
  }

  return (
    <Card size="small" title={tr('SOP 待办', 'SOP to-dos')} data-testid="sidebar-sop">
      {list.error && <Alert type="error" showIcon message={list.error} />}
      <List
        loading={list.loading}
        dataSource={items}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={tr('今天没有这位客户的 SOP 待办。', 'No SOP to-do for this customer today.')} /> }}
        renderItem={(t) => (
          <List.Item data-testid={`sop-todo-${t.id}`} style={{ display: 'block' }}>
            <Space style={{ width: '100%', justifyContent: 'space-between' }}>
              <Typography.Text strong>{t.template_name} · {tr(`第 ${t.position} 步`, `step ${t.position}`)}</Typography.Text>
              {t.overdue ? <Tag color="red">{tr('已逾期', 'Overdue')}</Tag> : <Tag color="green">{fmtTime(t.due_at)}</Tag>}
            </Space>
            <Space orientation="vertical" style={{ width: '100%', margin: '8px 0' }} size={4}>
              {t.content.map((p, i) => <PieceView key={i} p={p} />)}
            </Space>
            <Space>
              <Button type="primary" size="small" icon={<SendOutlined />} loading={busy === t.id} onClick={() => void send(t)} data-testid={`sop-send-${t.id}`}>
                {tr('发送', 'Send')}
              </Button>
              <Button size="small" onClick={async () => { if ((await act(() => post(`/sop/todos/${t.id}/finish`, { status: 'skipped' }), tr('已跳过', 'Skipped'))) !== undefined) void list.reload() }}>
                {tr('跳过', 'Skip')}
              </Button>
            </Space>
          </List.Item>
        )}
      />
    </Card>
  )
}

// customerId: the 1:1 chat's customer; null in a group chat (the radar link names no customer)
export function RecommendedContent({ customerId, userid }: { customerId: number | null; userid: string | null }) {
  const { tr } = useI18n()
  const act = useAction()
  const [keyword, setKeyword] = useState('')
  const [search, setSearch] = useState('')
  const list = useLoad(() => get<Page<ContentItem>>('/content', { keyword: search, limit: 10 }), [search])

  async function send(item: ContentItem) {
    let url = item.url
    if (item.kind === 'link' || item.kind === 'article') {
      // this customer's radar link (opening it tells the employee); the library counts a use
      if (!userid) return void act(() => Promise.reject(new Error(tr('请以员工身份登录后发送。', 'Sign in as an employee to send.'))))
      const link = await act(() => post<{ url: string }>(`/content/${item.id}/radar-links`, { userid, ...(customerId ? { customer_id: customerId } : {}), ttl_days: 30 }))
      if (!link) return
      url = link.url
    }
    const piece: ContentPiece = { kind: item.kind, title: item.title, text: item.kind === 'text' ? item.body : '', url, cover: item.cover, description: item.description, item_id: item.id }
    if (await sendChatMessage(toMessage(piece))) await act(() => Promise.resolve(), isStandIn() ? tr('（沙箱）已发送', '(sandbox) sent') : tr('已发送', 'Sent'))
    else await act(() => Promise.reject(new Error(tr('发送被取消。', 'Sending was cancelled.'))))
  }

  return (
    <Card size="small" title={tr('推荐内容', 'Recommended content')} data-testid="sidebar-content">
      <Input.Search size="small" placeholder={tr('搜索内容库', 'Search the content library')} value={keyword} onChange={(e) => setKeyword(e.target.value)} onSearch={setSearch} allowClear style={{ marginBottom: 8 }} />
      {list.error && <Alert type="error" showIcon message={list.error} />}
      <List
        size="small"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        locale={{ emptyText: tr('内容库还没有素材，请运营在控制台添加。', 'The content library is empty: ask an operator to add items in the console.') }}
        renderItem={(it) => (
          <List.Item
            data-testid={`content-${it.id}`}
            actions={[<Button key="send" size="small" icon={<SendOutlined />} onClick={() => void send(it)} data-testid={`content-send-${it.id}`}>{tr('发送', 'Send')}</Button>]}
          >
            <Space>
              <Tag>{tr(...(KIND_NAMES[it.kind] ?? [it.kind, it.kind]))}</Tag>
              <Typography.Text ellipsis style={{ maxWidth: 220 }}>{it.title}</Typography.Text>
            </Space>
          </List.Item>
        )}
      />
    </Card>
  )
}
