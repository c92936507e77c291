// The customer's essentials at the top of the 1:1 sidebar: stage and the employee's next
// follow-up (on the corp's clock), editable in place.
import { useState } from 'react'
import { Button, DatePicker, Input, Select, Space, Typography } from 'antd'
import dayjs from 'dayjs'
import { put, type Schemas } from '../../api'
import { useAuth } from '../../auth'
import { fmtIn } from '../../dates'
import { useAction } from '../../hooks'
import { useI18n } from '../../i18n'
import { useStages } from '../customers/stages'
import { corpWallToIso } from './corpClock'

type Profile = Schemas['ProfileOut']

export function StagePicker({ customerId, stageId, onChanged }: { customerId: number; stageId: number | null | undefined; onChanged: () => void }) {
  const { tr } = useI18n()
  const act = useAction()
  const stages = useStages()
  return (
    <Select
      size="small"
      data-testid="sidebar-stage"
      style={{ minWidth: 120 }}
      placeholder={tr('设置阶段', 'Set stage')}
      loading={stages.loading}
      value={stageId ?? undefined}
      options={(stages.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
      onChange={async (v: number) => {
        if ((await act(() => put(`/customers/${customerId}/stage`, { stage_id: v }), tr('阶段已更新', 'Stage updated'))) !== undefined) onChanged()
      }}
    />
  )
}

export function FollowUpPicker({ customerId, profile, onChanged }: { customerId: number; profile: Profile; onChanged: () => void }) {
  const { tr } = useI18n()
  const { me } = useAuth()
  const act = useAction()
  const tz = me?.timezone
  const [editing, setEditing] = useState(false)
  const [note, setNote] = useState(profile.follow_up?.note ?? '')
  const fu = profile.follow_up
  const [wall, setWall] = useState<string | null>(fu ? fmtIn(fu.due_at, tz) : null)
  const save = async (wall: string | null) => {
    const body = { userid: profile.userid, due_at: wall ? corpWallToIso(wall, tz) : null, note }
    if ((await act(() => put(`/customers/${customerId}/follow-up`, body), wall ? tr('已设置下次跟进', 'Follow-up set') : tr('已清除下次跟进', 'Follow-up cleared'))) !== undefined) {
      setEditing(false)
      onChanged()
    }
  }
  if (!profile.userid) return null
  if (!editing)
    return (
      <Space size={4} data-testid="sidebar-follow-up">
        <Typography.Text type="secondary">{tr('下次跟进', 'Next follow-up')}:</Typography.Text>
        <Typography.Text type={fu && new Date(fu.due_at) < new Date() ? 'danger' : undefined}>
          {fu ? `${fmtIn(fu.due_at, tz)}${fu.note ? ` · ${fu.note}` : ''}` : tr('未设置', 'not set')}
        </Typography.Text>
        <Button size="small" type="link" onClick={() => setEditing(true)} data-testid="follow-up-edit">{tr('修改', 'Edit')}</Button>
      </Space>
    )
  return (
    <Space orientation="vertical" size={4} style={{ width: '100%' }}>
      <DatePicker
        showTime={{ format: 'HH:mm' }}
        format="YYYY-MM-DD HH:mm"
        size="small"
        style={{ width: '100%' }}
        data-testid="follow-up-at"
        placeholder={tr('下次跟进时间', 'Next follow-up time')}
        value={wall ? dayjs(wall) : null}
        onChange={(d) => setWall(d ? d.format('YYYY-MM-DD HH:mm') : null)}
      />
      <Input size="small" maxLength={100} value={note} onChange={(e) => setNote(e.target.value)} placeholder={tr('跟进事项（可选）', 'What to follow up (optional)')} />
      <Space>
        <Button size="small" type="primary" disabled={!wall} onClick={() => void save(wall)} data-testid="follow-up-save">{tr('保存', 'Save')}</Button>
        {fu && <Button size="small" danger onClick={() => void save(null)}>{tr('清除', 'Clear')}</Button>}
        <Button size="small" onClick={() => setEditing(false)}>{tr('取消', 'Cancel')}</Button>
      </Space>
    </Space>
  )
}
