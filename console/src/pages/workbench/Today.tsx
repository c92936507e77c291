// 今日待办: SOP steps due today (sent with a share that preselects the customer or group, then
// finished), the employee's open frontline tasks (completed through the share API WeCom
// answers for, or marked done for to-dos) and the follow-ups set for today or overdue.
import { useState } from 'react'
import { useNavigate } from 'react-router-dom'
import { Button, Card, Empty, ErrorBlock, List, Space, Tag } from 'antd-mobile'
import { get, post, type Schemas } from '../../api'
import { useLoad } from '../../hooks'
import { fmtTime, useI18n } from '../../i18n'
import {
  isStandIn,
  shareToExternalChat,
  shareToExternalContact,
  shareToExternalMoments,
  type ShareArgs,
  type ShareAttachment,
} from '../sidebar/jssdk'
import { toast, type Tr } from './common'

type Today = Schemas['TodayOut']
type TodayTask = Schemas['TodayTask']
type SopTodo = Schemas['TodoOut']
type Piece = Schemas['MyPiece']

const SHARES: Record<string, { call: (a: ShareArgs) => Promise<boolean>; label: [string, string] }> = {
  shareToExternalContact: { call: shareToExternalContact, label: ['分享给客户', 'Share with customers'] },
  shareToExternalChat: { call: shareToExternalChat, label: ['分享到客户群', 'Share to groups'] },
  shareToExternalMoments: { call: shareToExternalMoments, label: ['发表到朋友圈', 'Post to Moments'] },
}

const KINDS: Record<string, [string, string]> = {
  customer: ['客户群发', 'Customer send'],
  group: ['客户群群发', 'Group send'],
  moment: ['朋友圈', 'Moment'],
  todo: ['待办', 'To-do'],
}

/** The pieces as a share: the text, links as link cards (images and mini-programs need a
 * WeCom media id the workbench does not have: they stay with the mass message). */
export function shareArgs(pieces: Piece[], to: Pick<ShareArgs, 'externalUserIds' | 'chatIds'> = {}): ShareArgs {
  const text = pieces.filter((p) => p.kind === 'text').map((p) => p.text || p.title).join('\n\n')
  const attachments: ShareAttachment[] = pieces
    .filter((p) => p.kind !== 'text' && p.url)
    .map((p) => ({ msgtype: 'link', link: { title: p.title, url: p.url, desc: p.description, imgUrl: p.cover } }))
  return { ...(text ? { text: { content: text } } : {}), ...(attachments.length ? { attachments } : {}), ...to }
}

function Pieces({ pieces, tr }: { pieces: Piece[]; tr: Tr }) {
  if (!pieces.length) return null
  return (
    <div style={{ background: '#f7f7f7', padding: 8, borderRadius: 6, margin: '6px 0', whiteSpace: 'pre-wrap', fontSize: 14 }}>
      {pieces.map((p, i) => (
        <div key={i}>{p.kind === 'text' ? p.text || p.title : `${tr('链接', 'Link')}：${p.title}`}</div>
      ))}
    </div>
  )
}

export default function TodayTab() {
  const { tr } = useI18n()
  const nav = useNavigate()
  const today = useLoad(() => get<Today>('/frontline/today'), [])
  const [busy, setBusy] = useState<string | null>(null)

  async function run(key: string, fn: () => Promise<void>) {
    setBusy(key)
    try {
      await fn()
    } catch (e) {
      toast(e instanceof Error ? e.message : String(e), 'fail')
    } finally {
      setBusy(null)
    }
  }

  const shareTask = (t: TodayTask) =>
    run(`task-${t.id}`, async () => {
      const share = SHARES[t.share_api]
      const ok = await share.call(shareArgs(t.content))
      // WeCom's answer is recorded either way; only ":ok" completes the task
      await post(`/frontline/tasks/${t.id}/shared`, { api: t.share_api, result: ok ? 'ok' : 'cancel' })
      if (ok) {
        toast(isStandIn() ? tr('（沙箱）已分享，任务完成', '(sandbox) shared, task done') : tr('已分享，任务完成', 'Shared, task done'), 'success')
        await today.reload()
      } else toast(tr('分享已取消，任务保持未完成', 'Sharing cancelled; the task stays open'))
    })

  const markDone = (t: TodayTask) =>
    run(`task-${t.id}`, async () => {
      await post(`/tasks/${t.id}/done`, { done: true })
      toast(tr('已标记完成', 'Marked done'), 'success')
      await today.reload()
    })

  const sendSop = (s: SopTodo) =>
    run(`sop-${s.id}`, async () => {
      const pieces = s.content as Piece[]
      const ok = s.chat_id
        ? await shareToExternalChat(shareArgs(pieces, { chatIds: [s.chat_id] }))
        : await shareToExternalContact(shareArgs(pieces, { externalUserIds: [s.external_userid] }))
      if (!ok) {
        toast(tr('发送已取消，待办保持未完成', 'Sending cancelled; the to-do stays open'))
        return
      }
      await post(`/sop/todos/${s.id}/finish`, { status: 'done' })
      toast(isStandIn() ? tr('（沙箱）已发送并完成', '(sandbox) sent and done') : tr('已发送并完成', 'Sent and done'), 'success')
      await today.reload()
    })

  if (today.error) return <ErrorBlock status="default" title={today.error} description="" />
  const data = today.data
  return (
    <div data-testid="wb-today" style={{ padding: 8 }}>
      <Card title={tr('SOP 待办', 'SOP to-dos')} data-testid="wb-today-sop" style={{ marginBottom: 8 }}>
        {data && !data.sop.length && <Empty description={tr('今天没有到期的 SOP 待办', 'No SOP step due today')} />}
        <List style={{ '--border-top': 'none' }}>
          {(data?.sop ?? []).map((s) => (
            <List.Item
              key={s.id}
              data-testid={`wb-sop-${s.id}`}
              title={s.template_name}
              description={<Pieces pieces={s.content as Piece[]} tr={tr} />}
              extra={
                <Button size="mini" color="primary" loading={busy === `sop-${s.id}`} onClick={() => void sendSop(s)} data-testid={`wb-sop-send-${s.id}`}>
                  {tr('发送', 'Send')}
                </Button>
              }
            >
              <Space wrap style={{ '--gap': '4px' }}>
                <span>{s.customer_name || s.group_name}</span>
                {s.overdue ? <Tag color="danger">{tr('已逾期', 'Overdue')}</Tag> : <Tag color="primary" fill="outline">{fmtTime(s.due_at)}</Tag>}
              </Space>
            </List.Item>
          ))}
        </List>
      </Card>
      <Card title={tr('营销任务', 'Tasks')} data-testid="wb-today-tasks" style={{ marginBottom: 8 }}>
        {data && !data.tasks.length && <Empty description={tr('没有未完成的营销任务', 'No open task')} />}
        <List style={{ '--border-top': 'none' }}>
          {(data?.tasks ?? []).map((t) => {
            const late = new Date(t.deadline) < new Date()
            return (
              <List.Item key={t.id} data-testid={`wb-task-${t.id}`} description={<>{t.description}<Pieces pieces={t.content} tr={tr} /></>}>
                <Space wrap style={{ '--gap': '4px' }}>
                  <Tag fill="outline">{tr(...(KINDS[t.kind] ?? [t.kind, t.kind]))}</Tag>
                  <span>{t.name}</span>
                  <Tag color={late ? 'danger' : 'primary'} fill="outline">{tr('截止', 'Due')} {fmtTime(t.deadline)}</Tag>
                </Space>
                <div style={{ marginTop: 6 }}>
                  {t.share_api ? (
                    <Button size="small" color="primary" loading={busy === `task-${t.id}`} onClick={() => void shareTask(t)} data-testid={`wb-task-share-${t.id}`}>
                      {tr(...SHARES[t.share_api].label)}
                    </Button>
                  ) : (
                    <Button size="small" loading={busy === `task-${t.id}`} onClick={() => void markDone(t)} data-testid={`wb-task-done-${t.id}`}>
                      {tr('标记完成', 'Mark done')}
                    </Button>
                  )}
                </div>
              </List.Item>
            )
          })}
        </List>
      </Card>
      <Card title={tr('跟进提醒', 'Follow-ups')} style={{ marginTop: 8 }} data-testid="wb-follow-ups">
        {data && !data.follow_ups.length && <Empty description={tr('今天没有要跟进的客户', 'No follow-ups today')} />}
        <List style={{ '--border-top': 'none' }}>
          {(data?.follow_ups ?? []).map((f) => (
            <List.Item
              key={f.customer_id}
              onClick={() => nav(`/m/customers/${f.customer_id}`)}
              description={f.note || undefined}
              extra={<Tag color={f.overdue ? 'danger' : 'primary'} fill="outline">{f.overdue ? tr('已逾期', 'Overdue') : tr('今天', 'Today')}</Tag>}
              data-testid={`wb-follow-up-${f.customer_id}`}
            >
              {f.remark || f.name} · {fmtTime(f.due_at)}
            </List.Item>
          ))}
        </List>
      </Card>
    </div>
  )
}
