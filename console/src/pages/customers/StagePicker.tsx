// The customer's current stage in the profile drawer: pick another (with an optional note).
import { useState } from 'react'
import { Button, Input, Select, Space, Tag, Typography } from 'antd'
import { put, type CustomerDetail } from '../../api'
import { useAction } from '../../hooks'
import { useI18n } from '../../i18n'
import { STAGE_COLORS, useStages } from './stages'

export default function StagePicker({ customer, onChanged }: { customer: CustomerDetail; onChanged: () => void }) {
  const { tr } = useI18n()
  const act = useAction()
  const stages = useStages()
  const [stageId, setStageId] = useState<number | null>(null)
  const [note, setNote] = useState('')
  const [busy, setBusy] = useState(false)
  const save = async () => {
    if (stageId === null) return
    setBusy(true)
    const ok = await act(
      () => put<CustomerDetail>(`/customers/${customer.id}/stage`, { stage_id: stageId, note }),
      tr('客户阶段已更新', 'Stage updated'),
    )
    setBusy(false)
    if (ok) {
      setStageId(null)
      setNote('')
      onChanged()
    }
  }
  return (
    <Space orientation="vertical" style={{ width: '100%' }} data-testid="customer-stage">
      <Space wrap>
        {customer.stage_id ? (
          <Tag color={STAGE_COLORS[customer.stage_kind] ?? 'blue'} data-testid="current-stage">
            {customer.stage_name}
          </Tag>
        ) : (
          <Typography.Text type="secondary" data-testid="current-stage">
            {tr('未设置阶段', 'No stage yet')}
          </Typography.Text>
        )}
        <Select
          size="small"
          style={{ minWidth: 160 }}
          placeholder={tr('变更阶段', 'Move to stage')}
          data-testid="stage-select"
          value={stageId ?? undefined}
          onChange={setStageId}
          loading={stages.loading}
          options={(stages.data ?? [])
            .filter((s) => s.id !== customer.stage_id)
            .map((s) => ({ label: s.name, value: s.id }))}
        />
      </Space>
      {stageId !== null && (
        <Space.Compact style={{ width: '100%' }}>
          <Input
            size="small"
            maxLength={500}
            placeholder={tr('备注（可选），如：已签约年卡', 'Note (optional), e.g. signed the annual plan')}
            value={note}
            onChange={(e) => setNote(e.target.value)}
            data-testid="stage-note"
          />
          <Button size="small" type="primary" loading={busy} onClick={() => void save()} data-testid="stage-save">
            {tr('保存', 'Save')}
          </Button>
        </Space.Compact>
      )}
    </Space>
  )
}
