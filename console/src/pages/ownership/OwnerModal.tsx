// 归属员工: the customer's owner (防撞单), who could own it (employees who follow it now), a
// reassignment with its reason, and every change so far.
import { useState } from 'react'
import { Alert, Button, Form, Input, Modal, Select, Space, Timeline, Typography } from 'antd'
import { get, put, type Schemas } from '../../api'
import { useAction, useLoad } from '../../hooks'
import { useI18n } from '../../i18n'
import { useCorpTime } from '../../dates'

export type Owner = Schemas['OwnerOut']

const SYSTEM_REASONS: Record<string, [string, string]> = {
  'first add': ['首次添加', 'First add'],
  reassigned: ['人工调整', 'Reassigned'],
  'the previous owner no longer follows the customer': ['原归属员工已不再跟进', 'The previous owner no longer follows the customer'],
}

/** The owner's history as a timeline (names, reasons, who changed it, on the corp's clock). */
export function OwnerHistory({ owner }: { owner: Owner }) {
  const { tr } = useI18n()
  const fmt = useCorpTime()
  return (
    <Timeline
      data-testid="owner-history"
      items={[...owner.history].reverse().map((h) => {
        const reason = SYSTEM_REASONS[h.reason] ? tr(...SYSTEM_REASONS[h.reason]) : h.reason
        const by = h.changed_by === 'system' ? tr('系统', 'System') : h.changed_by
        return {
          children: (
            <Space orientation="vertical" size={0}>
              <Typography.Text>
                {h.from_userid
                  ? tr(`${h.from_name} → ${h.to_name}`, `${h.from_name} → ${h.to_name}`)
                  : tr(`归属 ${h.to_name}`, `Owned by ${h.to_name}`)}
              </Typography.Text>
              <Typography.Text type="secondary">
                {fmt(h.at)} · {reason}
                {by ? ` · ${by}` : ''}
              </Typography.Text>
            </Space>
          ),
        }
      })}
    />
  )
}

/** Reassign a customer's owner; `onDone` after a change. */
export default function OwnerModal({
  customerId,
  suggest,
  onClose,
}: {
  customerId: number | null
  /** the employee to preselect (e.g. the other employee of a collision) */
  suggest?: string
  onClose: (changed: boolean) => void
}) {
  const { tr } = useI18n()
  const act = useAction()
  const [form] = Form.useForm<{ userid: string; reason: string }>()
  const [busy, setBusy] = useState(false)
  const owner = useLoad(
    () => (customerId ? get<Owner>(`/acquisition/owners/${customerId}`) : Promise.resolve(null)),
    [customerId],
  )
  const o = owner.data
  const options = (o?.candidates ?? []).map((c) => ({
    value: c.userid,
    label: c.userid === o?.userid ? tr(`${c.name}（当前归属）`, `${c.name} (current owner)`) : c.name,
  }))
  const save = async () => {
    const v = await form.validateFields()
    setBusy(true)
    const done = await act(
      () => put<Owner>(`/acquisition/owners/${customerId}`, { userid: v.userid, reason: v.reason ?? '' }),
      tr('归属已更换', 'Owner changed'),
    )
    setBusy(false)
    if (done) {
      form.resetFields()
      onClose(true)
    }
  }
  return (
    <Modal
      open={customerId !== null}
      title={o ? tr(`客户归属：${o.customer_name}`, `Owner of ${o.customer_name}`) : tr('客户归属', 'Owner')}
      onCancel={() => {
        form.resetFields()
        onClose(false)
      }}
      destroyOnHidden
      footer={
        <Space>
          <Button onClick={() => onClose(false)}>{tr('关闭', 'Close')}</Button>
          <Button type="primary" loading={busy} onClick={() => void save()} data-testid="owner-save" disabled={!o?.candidates.length}>
            {tr('更换归属', 'Reassign')}
          </Button>
        </Space>
      }
    >
      {owner.error && <Alert type="error" showIcon title={owner.error} />}
      {o && (
        <Space orientation="vertical" style={{ width: '100%' }} size="middle">
          <Typography.Text data-testid="owner-current">
            {tr('当前归属员工：', 'Current owner: ')}
            <Typography.Text strong>{o.name || tr('无', 'none')}</Typography.Text>
          </Typography.Text>
          {o.candidates.length === 0 ? (
            <Alert type="info" showIcon title={tr('没有员工在跟进这位客户，无法更换归属。', 'No employee follows this customer; the owner cannot change.')} />
          ) : (
            <Form
              form={form}
              layout="vertical"
              name="owner_reassign"
              initialValues={{ userid: suggest && suggest !== o.userid ? suggest : undefined, reason: '' }}
            >
              <Form.Item
                name="userid"
                label={tr('新的归属员工', 'New owner')}
                extra={tr('只能选择正在跟进该客户的员工。', 'Only employees who follow the customer can own it.')}
                rules={[{ required: true, message: tr('请选择员工', 'Pick an employee') }]}
              >
                <Select options={options} data-testid="owner-select" placeholder={tr('选择员工', 'Pick an employee')} />
              </Form.Item>
              <Form.Item name="reason" label={tr('原因', 'Reason')}>
                <Input maxLength={200} placeholder={tr('例如：门店跟进更合适', 'e.g. the store follows up')} data-testid="owner-reason" />
              </Form.Item>
            </Form>
          )}
          <Typography.Title level={5} style={{ margin: 0 }}>
            {tr('归属变更记录', 'Owner history')}
          </Typography.Title>
          <OwnerHistory owner={o} />
        </Space>
      )}
    </Modal>
  )
}
