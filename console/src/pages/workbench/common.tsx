// Shared bits of the mobile workbench (/m): antd-mobile's locale and imperative render under
// React 19, toasts, relative times, the customer row and a timeline entry as a sentence.
import { type ReactNode } from 'react'
import { createRoot, type Root } from 'react-dom/client'
import { Avatar, List, Space, Tag, Toast, unstableSetRender } from 'antd-mobile'
import type { Customer } from '../../api'
import { fmtTime } from '../../i18n'

// antd-mobile's Toast renders outside the tree; React 19 needs it to use createRoot
unstableSetRender((node, container) => {
  const el = container as Element & { _siyuRoot?: Root }
  el._siyuRoot ??= createRoot(container)
  const root = el._siyuRoot
  root.render(node)
  return async () => {
    await new Promise((resolve) => setTimeout(resolve, 0))
    root.unmount()
    delete el._siyuRoot
  }
})

export type Tr = (zh: string, en: string) => string

export function toast(text: string, icon?: 'success' | 'fail') {
  Toast.show({ content: text, icon })
}

/** "3 分钟前" / "3 min ago"; older than a week: the date and time. */
export function ago(iso: string, tr: Tr): string {
  const secs = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000))
  if (secs < 60) return tr('刚刚', 'just now')
  const mins = Math.floor(secs / 60)
  if (mins < 60) return tr(`${mins} 分钟前`, `${mins} min ago`)
  const hours = Math.floor(mins / 60)
  if (hours < 24) return tr(`${hours} 小时前`, `${hours} h ago`)
  const days = Math.floor(hours / 24)
  if (days < 7) return tr(`${days} 天前`, `${days} d ago`)
  return fmtTime(iso)
}

function readTime(secs: number, tr: Tr): string {
  const mins = Math.floor(secs / 60)
  return mins ? tr(`${mins} 分 ${secs % 60} 秒`, `${mins} min ${secs % 60} s`) : tr(`${secs} 秒`, `${secs} s`)
}

/** What the customer did, as a sentence: 打开了《会员日活动》，阅读 1 分 15 秒. */
export function reason(kind: string, data: Record<string, unknown>, tr: Tr): string {
  const title = typeof data.title === 'string' ? data.title : ''
  const group = typeof data.group_name === 'string' ? data.group_name : ''
  const secs = typeof data.read_seconds === 'number' ? data.read_seconds : 0
  switch (kind) {
    case 'radar_opened':
      return tr(`打开了《${title}》`, `opened “${title}”`) + (secs ? tr(`，阅读 ${readTime(secs, tr)}`, `, read ${readTime(secs, tr)}`) : '')
    case 'joined_group':
      return group ? tr(`加入了群聊「${group}」`, `joined the group “${group}”`) : tr('加入了群聊', 'joined a group')
    case 'left_group':
      return group ? tr(`退出了群聊「${group}」`, `left the group “${group}”`) : tr('退出了群聊', 'left a group')
    case 'added':
      return tr('添加了你为联系人', 'added you as a contact')
    default:
      return tr('有新动态', 'did something new')
  }
}

export function CustomerRow({ c, extra, onClick, testId }: { c: Pick<Customer, 'id' | 'name' | 'avatar'>; extra?: ReactNode; onClick: () => void; testId?: string }) {
  return (
    <List.Item
      data-testid={testId}
      prefix={<Avatar src={c.avatar || ''} style={{ '--size': '40px', '--border-radius': '50%' }} />}
      description={extra}
      onClick={onClick}
      arrowIcon
    >
      {c.name}
    </List.Item>
  )
}

export function TagLine({ names }: { names: string[] }) {
  if (!names.length) return null
  return (
    <Space wrap style={{ '--gap': '4px' }}>
      {names.slice(0, 4).map((n) => (
        <Tag key={n} color="primary" fill="outline">
          {n}
        </Tag>
      ))}
      {names.length > 4 && <Tag fill="outline">+{names.length - 4}</Tag>}
    </Space>
  )
}
