// The sidebar's 我的任务: the signed-in employee's running frontline tasks with their own
// progress; for the chat's customer, the task's content (their own radar links) sent with one
// tap through the JS-SDK, and to-dos marked done from here.
import { useState } from 'react'
import { Alert, Button, Card, Empty, List, Progress, Space, Tag, Typography } from 'antd'
import { CheckOutlined, SendOutlined } from '@ant-design/icons'
import { get, post, type Schemas } from '../../api'
import { useAction, useLoad } from '../../hooks'
import { fmtTime, useI18n } from '../../i18n'
import { isStandIn, sendChatMessage } from './jssdk'
import { PieceView, toMessage } from './SopTodos'

type MyTask = Schemas['MyTaskOut']

const KINDS: Record<string, [string, string]> = {
  customer: ['客户群发', 'Customer send'],
  group: ['群发客户群', 'Group send'],
  moment: ['朋友圈', 'Moment'],
  todo: ['待办', 'To-do'],
}

const STATES: Record<string, [string, string, string]> = {
  planned: ['待你在企业微信确认群发', 'Confirm the mass message in WeCom', 'orange'],
  submitted: ['待你在企业微信确认群发', 'Confirm the mass message in WeCom', 'orange'],
  sent: ['已发给该客户', 'Sent to this customer', 'green'],
  not_sent: ['未发给该客户', 'Not sent to this customer', 'default'],
  failed: ['发给该客户失败', 'Sending to this customer failed', 'red'],
}

export default function MyTasks({ externalUserid }: { externalUserid: string }) {
  const { tr } = useI18n()
  const act = useAction()
  const [busy, setBusy] = useState<number | null>(null)
  const list = useLoad(() => get<MyTask[]>('/tasks/mine', { external_userid: externalUserid }), [externalUserid])

  async function send(t: MyTask) {
    setBusy(t.id)
    try {
      for (const p of t.content) {
        if (!(await sendChatMessage(toMessage(p)))) {
          await act(() => Promise.reject(new Error(tr('发送被取消。', 'Sending was cancelled.'))))
          return
        }
      }
      await act(() => Promise.resolve(), isStandIn() ? tr('（沙箱）任务内容已发送', '(sandbox) task content sent') : tr('任务内容已发送', 'Task content sent'))
    } finally {
      setBusy(null)
    }
  }

  async function mark(t: MyTask, done: boolean) {
    const ok = await act(() => post(`/tasks/${t.id}/done`, { done }), done ? tr('已标记完成', 'Marked done') : tr('已改为未完成', 'Marked not done'))
    if (ok !== undefined) void list.reload()
  }

  return (
    <Card size="small" title={tr('我的任务', 'My tasks')} data-testid="sidebar-tasks">
      {list.error && <Alert type="error" showIcon message={list.error} />}
      <List
        loading={list.loading}
        dataSource={list.data ?? []}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={tr('你当前没有进行中的营销任务；运营在控制台「营销任务」中分配后会显示在这里。', 'No running task for you; tasks operators assign in the console (Tasks) show up here.')} /> }}
        renderItem={(t) => {
          const state = t.customer_state ? STATES[t.customer_state] : undefined
          const late = !t.mine.done && new Date(t.deadline) < new Date()
          return (
            <List.Item data-testid={`my-task-${t.id}`} style={{ display: 'block' }}>
              <Space style={{ width: '100%', justifyContent: 'space-between' }}>
                <Space size={4}>
                  <Tag>{tr(...(KINDS[t.kind] ?? [t.kind, t.kind]))}</Tag>
                  <Typography.Text strong>{t.name}</Typography.Text>
                </Space>
                <Tag color={late ? 'red' : 'blue'}>{tr('截止', 'Due')} {fmtTime(t.deadline)}</Tag>
              </Space>
              {t.description && <Typography.Paragraph type="secondary" style={{ margin: '4px 0' }}>{t.description}</Typography.Paragraph>}
              <div data-testid={`my-task-progress-${t.id}`}>
                {t.kind === 'todo' || t.kind === 'moment' ? (
                  t.mine.done ? <Tag color="green">{tr('我已完成', 'Done')}{t.mine.completed_at ? ` · ${fmtTime(t.mine.completed_at)}` : ''}</Tag> : <Tag>{tr('我未完成', 'Not done yet')}</Tag>
                ) : (
                  <Space size={4} style={{ width: '100%' }}>
                    <Typography.Text>{tr(`我已发送 ${t.mine.sent}/${t.mine.assigned}`, `I sent ${t.mine.sent}/${t.mine.assigned}`)}</Typography.Text>
                    <Progress size="small" style={{ width: 120, margin: 0 }} percent={Math.round(t.mine.completion_rate * 100)} />
                  </Space>
                )}
              </div>
              {state && <Tag color={state[2]} style={{ marginTop: 4 }}>{tr(state[0], state[1])}</Tag>}
              {t.content.length > 0 && (
                <Space orientation="vertical" style={{ width: '100%', margin: '8px 0' }} size={4}>
                  {t.content.map((p, i) => <PieceView key={i} p={p} />)}
                </Space>
              )}
              <Space style={{ marginTop: 4 }}>
                {t.content.length > 0 && (
                  <Button type="primary" size="small" icon={<SendOutlined />} loading={busy === t.id} onClick={() => void send(t)} data-testid={`my-task-send-${t.id}`}>
                    {tr('发送给该客户', 'Send to this customer')}
                  </Button>
                )}
                {t.kind === 'todo' && (
                  <Button size="small" icon={<CheckOutlined />} onClick={() => void mark(t, !t.mine.done)} data-testid={`my-task-done-${t.id}`}>
                    {t.mine.done ? tr('改为未完成', 'Mark not done') : tr('标记完成', 'Mark done')}
                  </Button>
                )}
              </Space>
            </List.Item>
          )
        }}
      />
    </Card>
  )
}
