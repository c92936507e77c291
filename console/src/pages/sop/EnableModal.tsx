// 启用 SOP: for a channel or tag trigger, say how many customers already match and offer to
// start the SOP for them too (a backfill), or only for customers who match from now on.
import { useState } from 'react'
import { Alert, Button, Modal, Space, Spin, Typography } from 'antd'
import { get, post, type Schemas } from '../../api'
import { useAction, useLoad } from '../../hooks'
import { useI18n } from '../../i18n'
import type { SopTemplate } from './types'

type Preview = Schemas['BackfillPreview']

export default function EnableModal({ tpl, onClose }: { tpl: SopTemplate | null; onClose: (changed: boolean) => void }) {
  const { tr } = useI18n()
  const act = useAction()
  const [busy, setBusy] = useState<'new' | 'all' | null>(null)
  const preview = useLoad(
    () => (tpl ? get<Preview>(`/sop/templates/${tpl.id}/backfill`) : Promise.resolve(null)),
    [tpl?.id],
  )
  const p = preview.data
  const enable = async (backfill: boolean) => {
    if (!tpl) return
    setBusy(backfill ? 'all' : 'new')
    const done = await act(
      () => post(`/sop/templates/${tpl.id}/enable`, { backfill }),
      backfill
        ? tr(`已启用，正在为 ${p?.new ?? 0} 位已符合条件的客户启动`, `Enabled; starting it for ${p?.new ?? 0} matching customers`)
        : tr('已启用', 'Enabled'),
    )
    setBusy(null)
    if (done !== undefined) onClose(true)
  }
  const offer = !!p && p.supported && p.new > 0
  return (
    <Modal
      open={!!tpl}
      title={tpl ? tr(`启用 SOP「${tpl.name}」`, `Enable “${tpl.name}”`) : ''}
      onCancel={() => onClose(false)}
      destroyOnHidden
      footer={
        <Space>
          <Button onClick={() => onClose(false)}>{tr('取消', 'Cancel')}</Button>
          <Button loading={busy === 'new'} disabled={!p} onClick={() => void enable(false)} data-testid="sop-enable-new-only">
            {offer ? tr('仅对之后符合条件的客户', 'Only customers who match from now on') : tr('启用', 'Enable')}
          </Button>
          {offer && (
            <Button type="primary" loading={busy === 'all'} onClick={() => void enable(true)} data-testid="sop-enable-backfill">
              {tr(`同时为 ${p.new} 位客户启动`, `Also start it for ${p.new} customers`)}
            </Button>
          )}
        </Space>
      }
    >
      {preview.error && <Alert type="error" showIcon title={preview.error} />}
      {!p && !preview.error && <Spin />}
      {p && (
        <Space orientation="vertical" data-testid="sop-backfill-preview">
          {p.supported ? (
            p.matching > 0 ? (
              <Typography.Paragraph style={{ margin: 0 }}>
                {tr(
                  `已有 ${p.matching} 位客户符合触发条件，其中 ${p.new} 位还没有执行过这个 SOP。要现在为他们启动吗？步骤从启动时开始计算；已成交（带转化标签）的客户会跳过。`,
                  `${p.matching} customers already match the trigger; ${p.new} of them have not run this SOP. Start it for them now? Steps count from now; converted customers are skipped.`,
                )}
              </Typography.Paragraph>
            ) : (
              <Typography.Paragraph style={{ margin: 0 }}>
                {tr('目前没有客户符合触发条件：启用后，之后符合条件的客户会自动开始。', 'No customer matches the trigger yet: once enabled, customers who match start automatically.')}
              </Typography.Paragraph>
            )
          ) : (
            <Typography.Paragraph style={{ margin: 0 }}>
              {tr('启用后，之后触发的客户（或客户群）会自动开始。', 'Once enabled, customers (or groups) that trigger it from now on start automatically.')}
            </Typography.Paragraph>
          )}
        </Space>
      )}
    </Modal>
  )
}
