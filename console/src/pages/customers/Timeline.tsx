import { Empty, Timeline as AntTimeline, Typography } from 'antd'
import type { TimelineEntry } from '../../api'
import { fmtTime, useI18n } from '../../i18n'

const KINDS: Record<string, [string, string, string]> = {
  added: ['添加了员工', 'added an employee', 'green'],
  deleted_by_customer: ['删除了员工', 'deleted the employee', 'red'],
  deleted_by_employee: ['被员工删除', 'deleted by the employee', 'red'],
  relation_gone: ['关系已不存在', 'relation gone', 'gray'],
  tagged: ['打标签', 'tagged', 'blue'],
  untagged: ['移除标签', 'untagged', 'gray'],
  remark_changed: ['修改备注', 'remark changed', 'blue'],
  joined_group: ['加入群聊', 'joined a group', 'green'],
  left_group: ['退出群聊', 'left a group', 'gray'],
  note: ['跟进记录', 'follow-up note', 'orange'],
  channel_attributed: ['渠道归因', 'channel attributed', 'green'],
  owner_changed: ['归属变更', 'owner changed', 'blue'],
  collision: ['撞单', 'collision', 'orange'],
  transfer_failed: ['继承失败', 'transfer failed', 'red'],
  sop_step_done: ['完成 SOP 步骤', 'SOP step done', 'green'],
  radar_opened: ['打开了内容', 'opened content', 'purple'],
  stage_changed: ['阶段变更', 'stage changed', 'cyan'],
  profile_changed: ['修改资料', 'profile edited', 'blue'],
  follow_up_set: ['设置下次跟进', 'next follow-up set', 'purple'],
}

interface Change {
  label: string
  old: unknown
  new: unknown
}

function shown(v: unknown): string {
  if (Array.isArray(v)) return v.join('、')
  return v == null ? '' : String(v)
}

export default function Timeline({ entries }: { entries: TimelineEntry[] }) {
  const { tr } = useI18n()
  if (!entries.length) return <Empty description={tr('暂无动态', 'No activity yet')} />
  return (
    <AntTimeline
      items={entries.map((e) => {
        const [zh, en, color] = KINDS[e.kind] ?? [e.kind, e.kind, 'gray']
        const text = typeof e.data.text === 'string' ? e.data.text : ''
        const secs = typeof e.data.read_seconds === 'number' ? e.data.read_seconds : 0
        const mins = Math.floor(secs / 60)
        const spent = mins ? tr(`${mins} 分 ${secs % 60} 秒`, `${mins} min ${secs % 60} s`) : tr(`${secs} 秒`, `${secs} s`)
        const read = secs ? ` · ${tr('阅读', 'read')} ${spent}` : ''
        const title = typeof e.data.title === 'string' ? `《${e.data.title}》${read}` : ''
        const stage =
          e.kind === 'stage_changed'
            ? `${e.data.from_name || tr('未设置', 'none')} → ${e.data.to_name}${e.data.note ? ` · ${e.data.note}` : ''}${e.data.by ? ` (${e.data.by})` : ''}`
            : ''
        const changes =
          e.kind === 'profile_changed' && Array.isArray(e.data.changes)
            ? (e.data.changes as Change[])
                .map((x) => `${x.label}：${shown(x.old) || tr('空', 'empty')} → ${shown(x.new) || tr('空', 'empty')}`)
                .join('；') + (e.data.wecom ? tr('（已同步企业微信）', ' (saved in WeCom)') : '')
            : ''
        const followUp =
          e.kind === 'follow_up_set'
            ? e.data.due_at
              ? `${fmtTime(String(e.data.due_at))}${e.data.note ? ` · ${e.data.note}` : ''}`
              : tr('已清除', 'cleared')
            : ''
        const tag = typeof e.data.tag_name === 'string' && e.data.tag_name ? `「${e.data.tag_name}」` : ''
        const group = typeof e.data.group_name === 'string' && e.data.group_name ? `「${e.data.group_name}」` : ''
        const channel = typeof e.data.channel === 'string' && e.data.channel ? `「${e.data.channel}」` : ''
        const previous =
          typeof e.data.previous_name === 'string' && e.data.previous_name ? tr(`原归属：${e.data.previous_name}`, `was ${e.data.previous_name}`) : ''
        const owner = typeof e.data.owner_name === 'string' && e.data.owner_name ? tr(`归属员工：${e.data.owner_name}`, `owner ${e.data.owner_name}`) : ''
        const extra =
          stage || changes || followUp || text || title || tag || group || channel || previous || owner ||
          (Array.isArray(e.data.tags) ? (e.data.tags as string[]).join(', ') : '')
        return {
          color,
          content: (
            <div data-kind={e.kind}>
              <Typography.Text strong>{tr(zh, en)}</Typography.Text>{' '}
              <Typography.Text type="secondary">
                {fmtTime(e.occurred_at)} {e.actor || e.userid}
              </Typography.Text>
              {extra && <div>{extra}</div>}
            </div>
          ),
        }
      })}
    />
  )
}
